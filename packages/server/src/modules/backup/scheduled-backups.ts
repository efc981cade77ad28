import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { backup } from "../../cli/backup-command.ts";
import type { BackupSecret } from "../../cli/backup-crypto.ts";
import type { PostgresTarget } from "../../cli/postgres-snapshot.ts";
import { Progress } from "../../cli/progress.ts";
import type { Clock } from "../../clock.ts";
import type { JobDeferral, Scheduler } from "../schedule/schedule-service.ts";

/** The durable job that takes the scheduled backups; one pending at a time across all nodes. */
export const BACKUP_JOB = "backup.scheduled";

/** Scheduled backups: where, how often, how many to keep, and the secret. */
export interface ScheduledBackupOptions {
  /** The server's data directory (its `hearth.db` and `blobs/`). */
  dataDir: string;
  /** A cluster's PostgreSQL (HEARTH_DATABASE_URL, schema): backed up instead of `hearth.db`. */
  postgres?: PostgresTarget;
  /** Where backup files go (created 0700 if missing). */
  dir: string;
  secret: BackupSecret;
  /** Time between backups; default a day. */
  everyMs?: number;
  /** Newest backups kept; older ones in `dir` are deleted after each backup. Default 7. */
  keep?: number;
}

const FILE = /^hearth-(\d{8}T\d{6}Z)(?:-(\d+))?\.hearth-backup$/;

/**
 * Oldest first: by time stamp, then by run number within one second (`-2` after none, `-10` after
 * `-9`), which the names' plain string order gets wrong.
 */
export function byAge(files: string[]): string[] {
  const key = (f: string) => {
    const m = FILE.exec(f)!;
    return { stamp: m[1]!, n: Number(m[2] ?? 1) };
  };
  return files.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x.stamp < y.stamp ? -1 : x.stamp > y.stamp ? 1 : x.n - y.n;
  });
}

/**
 * Takes `hearth backup` on the durable jobs: the first `everyMs` after the job is first enqueued,
 * then every `everyMs` (the job defers itself), keeping the newest `keep` files. A failed backup is
 * retried with the schedule's backoff and shows in the job stats (`GET /v1/admin/jobs`, metrics).
 *
 * @example
 * await new ScheduledBackups({ scheduler, clock, log }, { dataDir, dir: "/backups", secret }).start();
 */
export class ScheduledBackups {
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #o: Required<Omit<ScheduledBackupOptions, "postgres">> & Pick<ScheduledBackupOptions, "postgres">;
  #seq = 0;

  constructor(deps: { scheduler: Scheduler; clock: Clock; log: Logger }, options: ScheduledBackupOptions) {
    this.#scheduler = deps.scheduler;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#o = { everyMs: 24 * 3600_000, keep: 7, ...options };
    if (this.#o.keep < 1) throw new Error("keep at least one backup");
  }

  /** Registers the job's handler and makes sure one backup job is pending. */
  async start() {
    this.#scheduler.registerHandler(BACKUP_JOB, () => this.#run());
    await this.#scheduler.enqueue(BACKUP_JOB, null, this.#clock.now() + this.#o.everyMs, {
      dedupeKey: BACKUP_JOB,
    });
  }

  async #run(): Promise<JobDeferral> {
    await mkdir(this.#o.dir, { recursive: true, mode: 0o700 });
    const stamp = new Date(this.#clock.now())
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    this.#seq += 1;
    const out = join(this.#o.dir, `hearth-${stamp}${this.#seq > 1 ? `-${this.#seq}` : ""}.hearth-backup`);
    const m = await backup({
      dataDir: this.#o.dataDir,
      out,
      secret: this.#o.secret,
      progress: new Progress(process.stderr, true),
      ...(this.#o.postgres ? { postgres: this.#o.postgres } : {}),
    });
    const files = byAge((await readdir(this.#o.dir)).filter((f) => FILE.test(f)));
    const pruned = files.slice(0, Math.max(0, files.length - this.#o.keep));
    for (const old of pruned) await rm(join(this.#o.dir, old), { force: true });
    // Once the old ones are gone: whoever reads this line finds exactly the newest `keep`.
    this.#log.info(
      { blobs: m.blobs.count, entries: m.database.rows.entries ?? 0, pruned: pruned.length },
      "scheduled backup written",
    );
    return { deferUntil: this.#clock.now() + this.#o.everyMs };
  }
}
