import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const BIN = process.env.HEARTH_TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** Are `initdb` and `pg_ctl` installed (Debian's postgresql package)? */
export const postgresBinariesPresent = existsSync(join(BIN, "initdb")) && existsSync(join(BIN, "pg_ctl"));

const asRoot = process.getuid?.() === 0;
const RUNUSER = existsSync("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";

/**
 * Runs a PostgreSQL binary without blocking the test's event loop (its clients keep running); as
 * root through `runuser -u postgres` (initdb refuses to run as root).
 */
async function run(bin: string, args: string[]): Promise<void> {
  const [cmd, argv]: [string, string[]] = asRoot
    ? [RUNUSER, ["-u", "postgres", "--", join(BIN, bin), ...args]]
    : [join(BIN, bin), args];
  await promisify(execFile)(cmd, argv, { encoding: "utf8" });
}

/**
 * A PostgreSQL cluster of the test's own, in a temporary directory, on its own port, with trust
 * authentication: the test stops and starts it for real (`pg_ctl stop -m fast` / `immediate`).
 */
export class PrivatePostgres {
  readonly port: number;
  readonly dir: string;
  #running = false;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  /** `initdb` in a fresh directory and start it on `port`. */
  static async start(port: number): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), "hearth-pg-"));
    if (asRoot) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
    await run("initdb", [
      "-D",
      join(dir, "data"),
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    const pg = new PrivatePostgres(port, dir);
    await pg.startServer();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the server and waits until it accepts connections. */
  async startServer(): Promise<void> {
    // The socket directory is the cluster's own, so nothing needs /var/run/postgresql.
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await run("pg_ctl", [
      "-D",
      join(this.dir, "data"),
      "-l",
      join(this.dir, "log"),
      "-o",
      opts,
      "-w",
      "-t",
      "60",
      "start",
    ]);
    this.#running = true;
  }

  /** Stops the server: `fast` disconnects every client; `immediate` is a crash (recovery on start). */
  async stopServer(mode: "fast" | "immediate" = "fast"): Promise<void> {
    if (!this.#running) return;
    await run("pg_ctl", ["-D", join(this.dir, "data"), "-m", mode, "-w", "stop"]);
    this.#running = false;
  }

  async destroy(): Promise<void> {
    try {
      await this.stopServer("immediate");
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
}
