import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often, at most, the WAL is checkpointed while writes come in (ms). */
export const CHECKPOINT_INTERVAL_MS = 200;
/**
 * WAL frames (pages) past which the writer's own connection finishes a checkpoint: under steady
 * writes the worker's checkpoints never catch up with the commit that lands while they run, and
 * SQLite restarts the WAL from its start only once every frame is back in the database file.
 */
export const FINISH_AT_FRAMES = 4000;

/** What one `pragma wal_checkpoint(PASSIVE)` reported. */
export interface CheckpointReport {
  /** Frames in the WAL when the checkpoint began. */
  log: number;
  /** Of those, frames copied back into the database file. */
  checkpointed: number;
}

/**
 * The checkpointer thread: its own connection to the same file, one PASSIVE checkpoint per request
 * (never waits for readers or the writer; copies what it can). Plain JavaScript evaluated as a
 * worker, so it runs the same from TypeScript sources and from the built server.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const failed = (err) => ({ ok: false, error: String((err && err.message) || err) });
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma("busy_timeout = 0");
} catch (err) {
  parentPort.postMessage(failed(err));
}
parentPort.on("message", (m) => {
  if (m === "close") {
    if (db) db.close();
    parentPort.close();
    return;
  }
  try {
    const r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage(failed(err));
  }
});
`;

/**
 * Checkpoints the WAL on a worker thread, so the event loop never waits for one.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages: it copies the
 * pages back into the database file and fsyncs it, on the writer's thread. Under load that was
 * 70 % of the time spent in COMMIT, in stalls of ~16 ms every ~25 batches (docs/benchmarks.md,
 * "Checkpoints off the event loop"). The writer's connection runs with `wal_autocheckpoint = 0`
 * instead, and this class asks a worker (with its own connection) for a PASSIVE checkpoint at most
 * every {@link CHECKPOINT_INTERVAL_MS} while commits come in. PASSIVE copies what it can without
 * waiting for anyone; the WAL restarts from its start at the first write after every frame is back
 * in the file. A commit that lands during the worker's checkpoint keeps that from happening, so past
 * {@link FINISH_AT_FRAMES} the writer's connection finishes one itself (`finish`, a few frames and
 * one fsync). Durability is SQLite's own: a checkpoint syncs the WAL before it copies and the
 * database file before the WAL may be reused.
 *
 * If the worker cannot start or fails, the writer's automatic checkpoint is switched back on
 * (`fallback`), and the WAL is checkpointed as before.
 */
export class Checkpointer {
  readonly #path: string;
  readonly #finish: () => Promise<void>;
  readonly #fallback: (err: unknown) => void;
  readonly #intervalMs: number;
  readonly #finishAtFrames: number;
  #worker: Worker | undefined;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #running = false;
  #failed = false;
  #closed = false;
  #finishing: Promise<void> | undefined;
  #reported: ((r: CheckpointReport) => void)[] = [];

  constructor(o: {
    path: string;
    /** Runs a PASSIVE checkpoint on the writer's own connection, between its transactions. */
    finish: () => Promise<void>;
    /** The worker failed: turn the writer's automatic checkpoint back on. */
    fallback: (err: unknown) => void;
    intervalMs?: number;
    finishAtFrames?: number;
  }) {
    this.#path = o.path;
    this.#finish = o.finish;
    this.#fallback = o.fallback;
    this.#intervalMs = o.intervalMs ?? CHECKPOINT_INTERVAL_MS;
    this.#finishAtFrames = o.finishAtFrames ?? FINISH_AT_FRAMES;
  }

  /** A statement that may have written ran: a checkpoint follows within the interval. */
  wrote(): void {
    this.#dirty = true;
    if (this.#timer || this.#running || this.#failed || this.#closed) return;
    this.#timer = setTimeout(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Resolves with the next checkpoint's report (tests). */
  nextReport(): Promise<CheckpointReport> {
    return new Promise((resolve) => this.#reported.push(resolve));
  }

  /** Stops the worker (after the checkpoint it is running) and waits for it to close its connection. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#finishing;
    const w = this.#worker;
    this.#worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once("exit", () => resolve()));
    // Keeps the process alive until the worker has closed its connection.
    w.ref();
    w.postMessage("close");
    await exited;
  }

  #tick() {
    this.#timer = undefined;
    if (!this.#dirty || this.#closed || this.#failed) return;
    this.#dirty = false;
    this.#running = true;
    try {
      this.#spawned().postMessage("checkpoint");
    } catch (err) {
      this.#fail(err);
    }
  }

  #spawned(): Worker {
    if (this.#worker) return this.#worker;
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.#path, driver },
      // The thread holds a connection and answers small messages: a young generation of V8's default
      // size (16 MiB of semi-spaces) would sit in the server's RSS, grown and never collected.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 },
    });
    w.unref();
    w.on("message", (m: { ok: boolean; log?: number; checkpointed?: number; error?: string }) => {
      if (!m.ok) return this.#fail(new Error(m.error));
      this.#done({ log: m.log ?? 0, checkpointed: m.checkpointed ?? 0 });
    });
    // An error thrown in the worker arrives as a copy, not always an Error (SQLite's errors are not).
    w.on("error", (err: unknown) =>
      this.#fail(
        err instanceof Error ? err : new Error(String((err as { message?: unknown })?.message ?? err)),
      ),
    );
    w.on("exit", () => {
      if (!this.#closed) this.#fail(new Error("the checkpoint worker exited"));
    });
    this.#worker = w;
    return w;
  }

  #done(r: CheckpointReport) {
    this.#running = false;
    for (const resolve of this.#reported.splice(0)) resolve(r);
    if (r.log >= this.#finishAtFrames && !this.#closed) {
      this.#finishing = this.#finish()
        .catch((err: unknown) => this.#fail(err))
        .finally(() => {
          this.#finishing = undefined;
        });
    }
    if (this.#dirty) this.wrote();
  }

  #fail(err: unknown) {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const w = this.#worker;
    this.#worker = undefined;
    void w?.terminate();
    this.#fallback(err);
  }
}
