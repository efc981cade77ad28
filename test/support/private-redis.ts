import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";

const BIN = process.env.HEARTH_TEST_REDIS_SERVER ?? "/usr/bin/redis-server";

/** Is `redis-server` installed (Debian's redis-server package)? */
export const redisServerPresent = existsSync(BIN);

/**
 * A Redis of the test's own on its own port, without persistence: the test kills it (SIGKILL) and
 * starts it again, empty, as after a crash of a cache node.
 */
export class PrivateRedis {
  readonly port: number;
  #proc: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(port: number): Promise<PrivateRedis> {
    const r = new PrivateRedis(port);
    await r.startServer();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startServer(): Promise<void> {
    const p = spawn(
      BIN,
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.#proc = p;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      p.stdout?.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        if (out.includes("Ready to accept connections")) resolve();
      });
      p.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  }

  async kill(): Promise<void> {
    const p = this.#proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await gone;
  }
}
