import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CloseCode, closeReason } from "./close-codes.ts";
import { ROUTES, type RouteSpec, routePath, routeQuery } from "./routes.ts";

const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
const routes = Object.entries(ROUTES) as [string, RouteSpec][];

describe("route table", () => {
  it("names every path parameter in its params schema, and nothing else", () => {
    for (const [name, r] of routes) {
      const inPath = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).sort();
      const shape = (r.params as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
      expect(Object.keys(shape).sort(), name).toEqual(inPath);
    }
  });

  it("has one route per method and path", () => {
    const keys = routes.map(([, r]) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("puts every route but the operator's probes (health, readiness, metrics) under the protocol version's prefix", () => {
    const probes = ["health", "ready", "metrics"];
    for (const [name, r] of routes) if (!probes.includes(name)) expect(r.path, name).toMatch(/^\/v1\//);
  });

  it("is documented route for route in docs/protocol.md's HTTP table", () => {
    const table = doc.slice(doc.indexOf("## HTTP API"), doc.indexOf("### Attachments"));
    const documented = [
      ...table.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) ([^`?]+)(?:\?[^`]*)?` +\|/gm),
    ].map((m) => `${m[1]} ${m[2]}`);
    expect(documented.sort()).toEqual(routes.map(([, r]) => `${r.method} ${r.path}`).sort());
  });

  it("fills path parameters percent-encoded, and refuses a missing one", () => {
    expect(routePath(ROUTES.history, { id: "cnv_a/b?c" })).toBe("/v1/conversations/cnv_a%2Fb%3Fc/messages");
    expect(() => routePath(ROUTES.history, {})).toThrow(/missing path parameter id/);
    expect(routePath(ROUTES.me)).toBe("/v1/me");
  });

  it("writes a query without undefined values", () => {
    expect(routeQuery({ after: 5, limit: undefined })).toBe("?after=5");
    expect(routeQuery({})).toBe("");
    expect(routeQuery(undefined)).toBe("");
  });
});

describe("close codes", () => {
  it("are all documented in docs/protocol.md with their number and name", () => {
    const table = doc.slice(doc.indexOf("## Close codes"), doc.indexOf("## Error codes"));
    for (const [name, code] of Object.entries(CloseCode)) {
      expect(table, name).toMatch(new RegExp(`^\\| ${code} +\\| \`${name}\` +\\|`, "m"));
    }
    const documented = [...table.matchAll(/^\| (\d{4}) +\|/gm)].map((m) => Number(m[1]));
    expect(documented.sort()).toEqual(Object.values(CloseCode).sort());
  });

  it("mean what the client does about them", () => {
    expect(closeReason(CloseCode.tokenInvalid)).toBe("token_invalid");
    expect(closeReason(CloseCode.helloTimeout)).toBe("hello_timeout");
    expect(closeReason(CloseCode.slowConsumer)).toBe("slow_consumer");
    expect(closeReason(CloseCode.protocolError)).toBe("protocol_error");
    expect(closeReason(CloseCode.tooBig)).toBe("protocol_error");
    expect(closeReason(CloseCode.goingAway)).toBe("server_restart");
    expect(closeReason(CloseCode.serviceRestart)).toBe("server_restart");
    expect(closeReason(1006)).toBe("network");
    expect(closeReason(CloseCode.normal)).toBe("network");
  });
});
