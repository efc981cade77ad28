import { startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Security check finding 7: the CSP admitted fonts from any https host (a helmet default), and
// X-Frame-Options said SAMEORIGIN while frame-ancestors said 'none'.
describe("finding 7: security headers", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it.each(["/", "/healthz", "/v1/me"])(
    "%s carries a CSP with no https: source and a consistent frame policy",
    async (path) => {
      const res = await fetch(t.url + path);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).not.toBe("");
      expect(csp).not.toMatch(/https:/);
      const directives = new Map(
        csp.split(";").map((d) => {
          const [name = "", ...values] = d.trim().split(/\s+/);
          return [name, values.join(" ")] as const;
        }),
      );
      expect(directives.get("font-src")).toBe("'self'");
      expect(directives.get("default-src")).toBe("'self'");
      expect(directives.get("script-src-attr")).toBe("'none'");
      expect(directives.get("frame-ancestors")).toBe("'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    },
  );
});
