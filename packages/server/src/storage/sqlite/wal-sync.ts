import { close, closeSync, fdatasync, fdatasyncSync, fsync, open, openSync } from "node:fs";
import { dirname } from "node:path";

/** Syncs one file (fdatasync) or directory (fsync) by its path. */
export type SyncPath = (path: string, kind: "file" | "directory") => Promise<void>;

interface Waiter {
  gen: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Durability of the embedded store, with the fsync where its caller wants it.
 *
 * SQLite runs with `synchronous = NORMAL` in WAL mode: a commit writes its frames into the WAL (the
 * kernel's page cache) and returns, and SQLite syncs the WAL itself before each checkpoint. What
 * `FULL` adds — the WAL on disk before the commit returns — is done here instead: after a commit an
 * `fdatasync(db-wal)` follows, and whoever must not answer before the data is on disk (an ack, an
 * HTTP response) awaits {@link WalSync.durable}. By default the sync runs on libuv's thread pool
 * (an HTTP answer, a job: the event loop stays free); a caller with a batch of messages asks to
 * `block` and syncs on the spot (see `DeliveryService`). Writes nobody waits for (receipts) are
 * synced on the thread pool too, a turn after their commit.
 *
 * Every commit, awaited or not, is followed by a sync started after it, so nothing committed stays
 * in the page cache longer than one sync. The first sync also syncs the directory (the WAL file's
 * entry), as SQLite does for a file it creates.
 */
export class WalSync {
  readonly #walPath: string;
  /** Bumped by every statement that may have written (and every COMMIT). */
  #written = 0;
  /** Everything bumped up to this generation is on disk. */
  #synced = 0;
  #running: Promise<void> | undefined;
  #scheduled = false;
  #dirSynced = false;
  #waiters: Waiter[] = [];
  /** Set when a sync fails: every later wait fails too (a store that cannot sync must not ack). */
  #failed: unknown;

  readonly #syncPath: SyncPath;
  readonly #closeFiles: () => void;
  readonly #syncNow: ((path: string) => void) | undefined;

  /** `syncPath` syncs by path; tests pass one that records, holds and fails syncs. */
  constructor(dbPath: string, syncPath?: SyncPath) {
    this.#walPath = `${dbPath}-wal`;
    const kept = syncPath ? undefined : keptOpenSync();
    this.#syncPath = syncPath ?? kept!.sync;
    this.#closeFiles = kept?.close ?? (() => {});
    this.#syncNow = kept?.syncNow;
  }

  /** Why syncing failed, if it did (readiness reports it; nothing is acknowledged after). */
  get failure(): unknown {
    return this.#failed;
  }

  /** A statement that may have written ran (or a transaction committed): schedules a sync. */
  wrote(): void {
    this.#written++;
    this.#schedule();
  }

  /**
   * Resolves once everything committed before this call is on disk. `block`: syncs now, on this
   * thread (see `DurableOptions.block`), when the syncer was made with a blocking sync.
   */
  durable(block = false): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const gen = this.#written;
    if (this.#synced >= gen) return Promise.resolve();
    // Blocking syncs go through the kept descriptor, once the directory had its first (async) sync.
    if (block && this.#syncNow && this.#dirSynced) {
      try {
        this.#syncNow(this.#walPath);
      } catch (err) {
        this.#failed = err;
        this.#settle(() => true, err);
        return Promise.reject(err);
      }
      this.#synced = Math.max(this.#synced, gen);
      this.#settle((w) => w.gen <= gen, undefined);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ gen, resolve, reject });
      this.#schedule();
    });
  }

  /** Waits for the sync in flight and any queued one, then lets go of the WAL (closing the store). */
  async close(): Promise<void> {
    while (this.#running || this.#scheduled) await (this.#running ?? new Promise((r) => setImmediate(r)));
    this.#closeFiles();
  }

  #schedule() {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    // After this turn's other commits, so one sync covers them all.
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  #run() {
    if (this.#running || this.#synced >= this.#written) return;
    const gen = this.#written;
    this.#running = this.#sync()
      .then(
        () => {
          // A blocking sync may have covered more meanwhile: never move back.
          this.#synced = Math.max(this.#synced, gen);
          this.#settle((w) => w.gen <= gen, undefined);
        },
        (err: unknown) => {
          this.#failed = err;
          this.#settle(() => true, err);
        },
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#written > this.#synced && this.#failed === undefined) this.#schedule();
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
export function keptOpenSync(): { sync: SyncPath; syncNow: (path: string) => void; close: () => void } {
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
    syncNow(path) {
      let fd = files.get(path);
      if (fd === undefined) {
        try {
          fd = openSync(path, "r");
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
          throw err;
        }
        files.set(path, fd);
      }
      fdatasyncSync(fd);
    },
    close() {
      for (const fd of files.values()) closeSync(fd);
      files.clear();
    },
  };
}

const closeFd = (fd: number, then: () => void) => close(fd, () => then());
