import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerWeb } from "@hearth/server";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

async function serverFor(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: "not_found" }));
  app.get("/healthz", async () => ({ ok: true }));
  app.get("/v1/me", async () => ({ me: true }));
  await registerWeb(app, { distDir });
  await app.ready();
  return app;
}

describe("registerWeb", () => {
  let dir: string;
  let app: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-dist-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Hearth</title>");
    writeFileSync(join(dir, "assets/index-abc123.js"), "console.log(1)");
    writeFileSync(join(dir, "sw.js"), "// sw");
    writeFileSync(join(dir, "manifest.webmanifest"), "{}");
    app = await serverFor(dir);
    missing = await serverFor(join(dir, "does-not-exist"));
  });

  afterAll(async () => {
    await app.close();
    await missing.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html for app routes, uncached", async () => {
    for (const url of ["/", "/conversations", "/conversations/abc", "/invite", "/setup?x=1"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"], url).toMatch(/^text\/html/);
      expect(res.headers["cache-control"], url).toBe("no-store");
      expect(res.body, url).toContain("<title>Hearth</title>");
    }
  });

  it("caches hashed assets for a year and revalidates the service worker", async () => {
    const asset = await app.inject({ url: "/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    const sw = await app.inject({ url: "/sw.js" });
    expect(sw.statusCode).toBe(200);
    expect(sw.headers["cache-control"]).toBe("no-cache");
    const manifest = await app.inject({ url: "/manifest.webmanifest" });
    expect(manifest.statusCode).toBe(200);
    expect(manifest.headers["cache-control"]).toBe("no-cache");
  });

  it("leaves the API, the health check and missing files to the JSON 404", async () => {
    expect((await app.inject({ url: "/v1/me" })).json()).toEqual({ me: true });
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ ok: true });
    for (const url of [
      "/v1/nope",
      "/v1",
      "/assets/missing.js",
      "/favicon.ico",
      "/../package.json",
      "/%2e%2e/x.js",
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toEqual({ error: "not_found" });
    }
  });

  it("says how to build the app when it is not built", async () => {
    const res = await missing.inject({ url: "/conversations" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("npm run build:web");
    expect((await missing.inject({ url: "/assets/x.js" })).statusCode).toBe(404);
    expect((await missing.inject({ url: "/healthz" })).json()).toEqual({ ok: true });
  });
});
