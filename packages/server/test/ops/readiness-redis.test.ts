import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { describeWithService, startTestServer } from "@hearth/server/testing";
import { expect, it } from "vitest";
import { RedisBus } from "../../src/bus/redis/redis-bus.ts";

const hasRedisServer = (() => {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** A private Redis on its own port, started and killed by the test. */
async function startRedis(port: number): Promise<ChildProcess> {
  const p = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    p.stdout?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (out.includes("Ready to accept connections")) resolve();
    });
    p.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  return p;
}

async function kill(p: ChildProcess) {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once("exit", r));
  p.kill("SIGKILL");
  await gone;
}

describeWithService(
  "/readyz with Redis",
  hasRedisServer,
  "redis-server (Debian's redis-server package)",
  () => {
    it("names Redis while its server is down and is ready again once it is back", async () => {
      const port = await freePort();
      let redis = await startRedis(port);
      const bus = await RedisBus.connect({
        url: `redis://127.0.0.1:${port}`,
        redis: { retryStrategy: () => 50 },
      });
      const t = await startTestServer({ bus });
      try {
        expect(await t.call("GET", "/readyz")).toEqual({
          status: 200,
          body: { ready: true, checks: { database: "ok", redis: "ok", blobs: "ok" }, failed: [] },
        });
        await kill(redis);
        expect(await t.call("GET", "/readyz")).toEqual({
          status: 503,
          body: { ready: false, checks: { database: "ok", redis: "failed", blobs: "ok" }, failed: ["redis"] },
        });
        redis = await startRedis(port);
        // ioredis reconnects by itself; readiness follows without anyone touching the server.
        const deadline = Date.now() + 30_000;
        let status = 0;
        while (Date.now() < deadline && status !== 200) {
          status = (await t.call("GET", "/readyz")).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status).toBe(200);
      } finally {
        await t.stop();
        await kill(redis);
      }
    });
  },
);
