import { startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm start` logs only refused requests (HEARTH_ACCESS_LOG=errors): health polls and ordinary
// traffic do not bury the lines that matter, and a refused request is logged by route pattern.
describe("access log: errors only", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ accessLog: "errors" });
  });
  afterAll(() => t.stop());

  const lines = () =>
    t
      .logs()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg?: string; route?: string; statusCode?: number; req?: unknown });

  it("logs no line for answered requests, one line with the route pattern for a refused one", async () => {
    for (let i = 0; i < 5; i++) expect((await t.call("GET", "/healthz")).status).toBe(200);
    expect(lines().filter((l) => l.req !== undefined || l.msg === "request refused")).toEqual([]);

    const secret = "0123456789abcdef0123456789abcdef";
    expect((await t.call("GET", `/v1/invites/${secret}`)).status).toBeGreaterThanOrEqual(400);
    const refused = lines().filter((l) => l.msg === "request refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ route: "/v1/invites/:token" });
    expect(refused[0]!.statusCode).toBeGreaterThanOrEqual(400);
    expect(t.logs()).not.toContain(secret);
  });
});

describe("access log: all (the default of buildServer)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it("logs every request", async () => {
    expect((await t.call("GET", "/healthz")).status).toBe(200);
    expect(t.logs()).toContain("request completed");
  });
});
