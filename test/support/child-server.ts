import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** Finds a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/**
 * The real server as a separate process (`npm start`'s entry point), so a test can kill it with
 * SIGKILL and start it again on the same data directory and port.
 */
export class ChildServer {
  readonly dataDir: string;
  readonly port: number;
  readonly #env: Record<string, string>;
  readonly #compiled: boolean;
  #proc: ChildProcess | undefined;
  #out = "";
  /** The setup token printed on first run. */
  setupToken: string | undefined;

  private constructor(dataDir: string, port: number, env: Record<string, string>, compiled: boolean) {
    this.dataDir = dataDir;
    this.port = port;
    this.#env = env;
    this.#compiled = compiled;
  }

  /**
   * `env` adds to the process's environment, e.g. HEARTH_DATABASE_URL for a PostgreSQL node.
   * `compiled`: run the production build (`npm run build:server`'s packages/server/dist/main.js) with
   * plain `node` instead of the TypeScript sources through tsx.
   */
  static async create(
    env: Record<string, string> = {},
    opts: { compiled?: boolean } = {},
  ): Promise<ChildServer> {
    return new ChildServer(
      mkdtempSync(join(tmpdir(), "hearth-child-")),
      await freePort(),
      env,
      opts.compiled ?? false,
    );
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  /** Everything the process printed (stdout and stderr) across all its lives. */
  get output() {
    return this.#out;
  }

  /** Starts the process and resolves once `/healthz` answers. */
  async start(): Promise<void> {
    const args = this.#compiled
      ? [join(ROOT, "packages/server/dist/main.js")]
      : ["--import", "tsx", join(ROOT, "packages/server/src/main.ts")];
    const proc = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: "127.0.0.1",
        HEARTH_DATA_DIR: this.dataDir,
        HEARTH_PUBLIC_URL: this.url,
        LOG_LEVEL: "warn",
        ...this.#env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#proc = proc;
    const onData = (d: Buffer) => {
      this.#out += d.toString("utf8");
      const m = /\/setup#([A-Za-z0-9_-]{20,})/.exec(this.#out);
      if (m) this.setupToken = m[1];
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`server exited early:\n${this.#out}`);
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`server did not come up:\n${this.#out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The one-time setup token, once the process has printed it (it does so right after listening). */
  async waitForSetupToken(): Promise<string> {
    const deadline = Date.now() + 10_000;
    while (!this.setupToken) {
      if (Date.now() > deadline) throw new Error(`no setup link printed:\n${this.#out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.setupToken;
  }

  /** SIGKILL: no shutdown hooks, no flushing — a crash. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGKILL");
    await exited;
  }

  /** Graceful stop (SIGTERM). */
  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGTERM");
    await exited;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
