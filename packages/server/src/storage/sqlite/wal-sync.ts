import { close, closeSync, fdatasync, fsync, open } from "node:fs";
import { dirname } from "node:path";

/** Syncs one file (fdatasync) or directory (fsync) by its path. */
export type SyncPath = (path: string, kind: "file" | "directory") => Promise<void>;

/** The longest a commit nobody waits for stays unsynced before a sync of its own starts. */
export const LAZY_SYNC_MS = 20;

interface Waiter {
  gen: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Durability of the embedded store: pipelined WAL syncs on libuv's thread pool.
 *
 * SQLite runs with `synchronous = NORMAL` in WAL mode: a commit writes its frames into the WAL (the
 * kernel's page cache) and returns, and SQLite syncs the WAL itself before each checkpoint. What
 * `FULL` adds — the WAL on disk before the commit returns — is done here instead: after a commit an
 * `fdatasync(db-wal)` follows on the thread pool, and whoever must not answer before the data is on
 * disk (an ack, an HTTP response) awaits {@link WalSync.durable}. The event loop never waits for
 * the disk: while one sync runs, the next batch commits, and the sync after it starts the moment
 * this one ends if anybody waits (one sync covers every commit made before it started).
 *
 * Writes nobody waits for (receipt watermarks) are synced at most {@link LAZY_SYNC_MS} after their
 * commit, usually sooner by the next sync somebody waits for, which covers them: a sync of their
 * own right away added up to one sync per receipt batch to the one per message batch while messages
 * flowed (at ten conversations in ping-pong about 800 receipt batches a second; docs/benchmarks.md,
 * "Syncs off the event loop"). A watermark is acknowledged to nobody; after a power loss within that
 * window it can be a step behind what was shown, which the protocol allows.
 *
 * So nothing committed stays in the page cache longer than {@link LAZY_SYNC_MS} and one sync. The
 * first sync also syncs the directory (the WAL file's entry), as SQLite does for a file it creates.
 */
export class WalSync {
  readonly #walPath: string;
  /** Bumped by every statement that may have written (and every COMMIT). */
  #written = 0;
  /** Everything bumped up to this generation is on disk. */
  #synced = 0;
  #running: Promise<void> | undefined;
  #scheduled = false;
  /** A sync for writes nobody waits for, due within {@link LAZY_SYNC_MS}. */
  #lazy: NodeJS.Timeout | undefined;
  #dirSynced = false;
  #waiters: Waiter[] = [];
  /** Set when a sync fails: every later wait fails too (a store that cannot sync must not ack). */
  #failed: unknown;

  readonly #syncPath: SyncPath;
  readonly #closeFiles: () => void;

  /** `syncPath` syncs by path; tests pass one that records, holds and fails syncs. */
  constructor(dbPath: string, syncPath?: SyncPath) {
    this.#walPath = `${dbPath}-wal`;
    const kept = syncPath ? undefined : keptOpenSync();
    this.#syncPath = syncPath ?? kept!.sync;
    this.#closeFiles = kept?.close ?? (() => {});
  }

  /** Why syncing failed, if it did (readiness reports it; nothing is acknowledged after). */
  get failure(): unknown {
    return this.#failed;
  }

  /**
   * A statement that may have written ran (or a transaction committed): a sync follows, at the
   * latest {@link LAZY_SYNC_MS} from now (at once when somebody waits: {@link WalSync.durable}).
   */
  wrote(): void {
    this.#written++;
    this.#scheduleLazy();
  }

  /** Resolves once everything committed before this call is on disk. */
  durable(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const gen = this.#written;
    if (this.#synced >= gen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ gen, resolve, reject });
      this.#schedule();
    });
  }

  /** Waits for the sync in flight and any queued one, then lets go of the WAL (closing the store). */
  async close(): Promise<void> {
    // A pending lazy sync runs now (`#schedule` takes its place; nothing to sync, it does nothing).
    if (this.#lazy) this.#schedule();
    while (this.#running || this.#scheduled) await (this.#running ?? new Promise((r) => setImmediate(r)));
    this.#closeFiles();
  }

  #schedule() {
    if (this.#scheduled || this.#running) return;
    if (this.#lazy) {
      clearTimeout(this.#lazy);
      this.#lazy = undefined;
    }
    this.#scheduled = true;
    // After this turn's other commits, so one sync covers them all.
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  #scheduleLazy() {
    if (this.#lazy || this.#scheduled || this.#running) return;
    this.#lazy = setTimeout(() => {
      this.#lazy = undefined;
      this.#run();
    }, LAZY_SYNC_MS);
  }

  #run() {
    if (this.#running || this.#synced >= this.#written) return;
    const gen = this.#written;
    this.#running = this.#sync()
      .then(
        () => {
          this.#synced = gen;
          this.#settle((w) => w.gen <= gen, undefined);
        },
        (err: unknown) => {
          this.#failed = err;
          this.#settle(() => true, err);
        },
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#failed !== undefined || this.#written <= this.#synced) return;
        // Somebody waits for a commit made during this sync: the next sync starts now (the disk is
        // never idle while acks wait); otherwise the writes made meanwhile get the lazy sync.
        if (this.#waiters.length > 0) this.#run();
        else this.#scheduleLazy();
      });
  }

  #settle(which: (w: { gen: number }) => boolean, err: unknown) {
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (!which(w)) still.push(w);
      else if (err === undefined) w.resolve();
      else w.reject(err);
    }
    this.#waiters = still;
  }

  async #sync() {
    await this.#syncPath(this.#walPath, "file");
    if (!this.#dirSynced) {
      await this.#syncPath(dirname(this.#walPath), "directory");
      this.#dirSynced = true;
    }
  }
}

/**
 * Syncs by path on the thread pool: fdatasync of a file, fsync of a directory. A file's descriptor
 * is opened once and kept (one thread-pool round trip per sync, not three): SQLite deletes its WAL
 * only when the last connection closes, which the store does after {@link WalSync.close}. A missing
 * file has nothing to sync (nothing was written yet, or SQLite checkpointed it away on closing).
 */
export function keptOpenSync(): { sync: SyncPath; close: () => void } {
  const files = new Map<string, number>();
  const flush = (fd: number, kind: "file" | "directory", done: (err: Error | null) => void) =>
    kind === "file" ? fdatasync(fd, done) : fsync(fd, done);
  return {
    sync: (path, kind) =>
      new Promise<void>((resolve, reject) => {
        const settle = (err: Error | null) => (err ? reject(err) : resolve());
        const kept = files.get(path);
        if (kept !== undefined) return flush(kept, kind, settle);
        open(path, "r", (err, fd) => {
          if (err) return err.code === "ENOENT" ? resolve() : reject(err);
          if (kind === "file") {
            files.set(path, fd);
            return flush(fd, kind, settle);
          }
          flush(fd, kind, (syncErr) => closeFd(fd, () => settle(syncErr)));
        });
      }),
    close() {
      for (const fd of files.values()) closeSync(fd);
      files.clear();
    },
  };
}

const closeFd = (fd: number, then: () => void) => close(fd, () => then());
