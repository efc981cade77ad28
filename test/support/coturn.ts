import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when Debian's `turnserver` (coturn) is installed; `.ci/run` installs it when missing. */
export function hasTurnserver(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v turnserver"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A port free for both UDP and TCP on 127.0.0.1 (TURN listens on both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket("udp4");
      u.once("error", () => resolve(false));
      u.bind(port, "127.0.0.1", () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no free loopback port for turnserver");
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
async function waitForTcp(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const { connect } = await import("node:net");
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`turnserver exited (${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, "127.0.0.1");
      c.once("connect", () => {
        c.destroy();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`turnserver did not listen on ${port}: ${output()}`);
}

/**
 * A real coturn TURN relay on a loopback port for tests: REST shared-secret authentication
 * (`use-auth-secret` + `static-auth-secret`), loopback peers allowed (the two browsers of a test are
 * both on 127.0.0.1), no configuration file (`-n`), no CLI, no user database, no TLS. Started per
 * test file and stopped by {@link Coturn.stop}.
 */
export class Coturn {
  readonly port: number;
  readonly secret: string;
  readonly realm = "hearth.test";
  readonly #child: ChildProcess;
  readonly #dir: string;
  #output = "";

  private constructor(child: ChildProcess, port: number, secret: string, dir: string) {
    this.#child = child;
    this.port = port;
    this.secret = secret;
    this.#dir = dir;
    child.stdout?.on("data", (d: Buffer) => this.#keep(d));
    child.stderr?.on("data", (d: Buffer) => this.#keep(d));
  }

  #keep(d: Buffer) {
    // Only the tail is kept: enough to explain a failure to start.
    this.#output = (this.#output + d.toString("utf8")).slice(-8000);
  }

  /** What turnserver printed (its log goes to stdout), for a failing test's message. */
  get output(): string {
    return this.#output;
  }

  /** The `turn:` URL the server hands out (UDP, the transport Chromium tries first). */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  /**
   * Starts turnserver on a free loopback port (or on `port`, to bring a stopped relay back at the
   * address the server hands out) and waits until it listens.
   */
  static async start(opts: { secret?: string; port?: number } = {}): Promise<Coturn> {
    const port = opts.port ?? (await freePort());
    const secret = opts.secret ?? randomBytes(24).toString("base64url");
    const dir = mkdtempSync(join(tmpdir(), "hearth-coturn-"));
    const args = [
      "-n",
      "--no-cli",
      "--listening-ip=127.0.0.1",
      "--relay-ip=127.0.0.1",
      `--listening-port=${port}`,
      "--allow-loopback-peers",
      "--use-auth-secret",
      `--static-auth-secret=${secret}`,
      "--realm=hearth.test",
      "--fingerprint",
      "--no-tls",
      "--no-dtls",
      "--no-multicast-peers",
      "--no-software-attribute",
      `--pidfile=${join(dir, "turnserver.pid")}`,
      // With no database configured coturn would look for /var/lib/turn/turndb: give it a private one.
      `--userdb=${join(dir, "turndb")}`,
      "--log-file=stdout",
      "--simple-log",
    ];
    const child = spawn("turnserver", args, { stdio: ["ignore", "pipe", "pipe"] });
    const turn = new Coturn(child, port, secret, dir);
    try {
      await waitForTcp(port, child, () => turn.output);
    } catch (err) {
      await turn.stop();
      throw err;
    }
    return turn;
  }

  /** Stops turnserver (SIGTERM, then SIGKILL) and removes its files. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
