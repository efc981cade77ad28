import { statSync } from "node:fs";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import type { Logger } from "pino";
import { codecFor } from "../at-rest/codec-for.ts";
import { sealInPlace } from "../at-rest/seal-in-place.ts";
import { kyselyStorage } from "../kysely/kysely-storage.ts";
import type { SyncBatch, SyncStatements } from "../kysely/sync-batch.ts";
import { migrate } from "../migrations.ts";
import type { Database } from "../schema.ts";
import type { Storage } from "../storage.ts";
import { Checkpointer } from "./checkpointer.ts";
import { sqliteDialect } from "./sqlite-dialect.ts";
import { type SyncPath, WalSync } from "./wal-sync.ts";

/** Options of the embedded SQLite storage. */
export interface SqliteStorageOptions {
  /** Path of the database file. */
  path: string;
  /**
   * `full` (default): an acknowledged message survives even a power loss. The WAL is fdatasynced
   * after every commit on the thread pool ({@link WalSync}), and acks and HTTP answers wait for it.
   * `normal`: no sync of our own; survives a process crash but not an OS crash.
   */
  synchronous?: "full" | "normal";
  /** How a file is synced to disk (default: fdatasync by path); tests record the syncs with it. */
  syncPath?: SyncPath;
  /**
   * The 32-byte at-rest key: names, logins, emails and push endpoints are then stored encrypted
   * (`storage/at-rest`), and a plaintext database is encrypted in place on open. Undefined: off.
   */
  atRestKey?: Uint8Array;
  /** Where a failed checkpoint worker is reported (SQLite then checkpoints on the writer again). */
  logger?: Pick<Logger, "warn">;
}

/**
 * Opens (and migrates) the embedded SQLite storage: one file, WAL mode, foreign keys on, secure
 * delete on (and the WAL checkpointed and truncated after every batch that deletes messages for
 * everyone: `sqliteDialect.afterErase`).
 *
 * @example
 * const storage = await openSqliteStorage({ path: "./data/hearth.db" });
 */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const sqlite = new SQLite(options.path);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL in both modes: in `full`, WalSync runs the WAL sync a FULL commit would (on the thread
  // pool, pipelined with the next commits), and what must be durable waits for it.
  sqlite.pragma("synchronous = NORMAL");
  const wal = options.synchronous === "normal" ? undefined : new WalSync(options.path, options.syncPath);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Freed content (a message deleted for everyone, a used key package) is overwritten with zeros,
  // not left in free pages and free space where a copy of the file would still hold it.
  sqlite.pragma("secure_delete = ON");
  // The WAL is checkpointed on a worker thread, not inside the COMMIT that crosses 1,000 pages.
  sqlite.pragma("wal_autocheckpoint = 0");
  const checkpointer = new Checkpointer({
    path: options.path,
    finish: async () => {
      await sql`pragma wal_checkpoint(PASSIVE)`.execute(db);
    },
    fallback: (err) => {
      options.logger?.warn({ err }, "checkpoint worker failed; SQLite checkpoints on the writer again");
      if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
    },
  });
  const wrote = () => {
    wal?.wrote();
    checkpointer.wrote();
  };
  const statements = withStatementCache(sqlite, wrote);
  const db: Kysely<Database> = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  const sync = syncBatch(db, sqlite, statements.prepared, wrote);
  const codec = codecFor(options.atRestKey);
  const close = async () => {
    await checkpointer.close();
    await wal?.close();
    await db.destroy();
  };
  try {
    await migrate(db as Kysely<unknown>, sqliteDialect.name);
    await sealInPlace(db, codec, sqliteDialect);
  } catch (err) {
    await close();
    throw err;
  }
  const opened = statSync(options.path);
  return kyselyStorage(
    db,
    sqliteDialect,
    codec,
    {
      close,
      durable: () => wal?.durable() ?? Promise.resolve(),
      async ping() {
        if (wal?.failure !== undefined)
          throw new Error("the database's write-ahead log could not be synced to disk");
        // An open handle keeps reading a file that was deleted or replaced underneath it, and would
        // answer queries from a database nobody will ever see again: the path must still be that file.
        let now: ReturnType<typeof statSync>;
        try {
          now = statSync(options.path);
        } catch {
          throw new Error(`the database file ${options.path} is gone`);
        }
        if (now.ino !== opened.ino || now.dev !== opened.dev) {
          throw new Error(`the database file ${options.path} was replaced while open`);
        }
        sqlite.prepare("select count(*) from sqlite_master").get();
      },
      poolStats: () => undefined,
    },
    sync,
  );
}

/**
 * Synchronous transactions on the one connection (see {@link SyncBatch}), holding it from Kysely's
 * queries meanwhile (`db.connection()` takes the driver's connection lock: no Kysely transaction is
 * open, and none begins, while it runs). Their statements come from the same cache as Kysely's
 * (`prepared`). The COMMIT tells `wrote`, so a WAL sync (and a checkpoint) follows it as after any
 * other commit.
 */
function syncBatch(
  db: Kysely<Database>,
  sqlite: SQLite.Database,
  prepared: (sql: string) => SQLite.Statement,
  wrote: () => void,
): SyncBatch {
  const statements: SyncStatements = {
    all: <R>(text: string, parameters: readonly unknown[]) => prepared(text).all(parameters) as R[],
    run: (text, parameters) => prepared(text).run(parameters).changes,
  };
  return (fn) =>
    db.connection().execute(async () => {
      try {
        return sqlite.transaction(() => fn(statements))();
      } finally {
        wrote();
      }
    });
}

/** Most distinct SQL texts kept prepared; the hot paths use a few dozen. */
const STATEMENT_CACHE_SIZE = 256;

/** The part of a better-sqlite3 statement Kysely's SQLite driver uses. */
interface DriverStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): SQLite.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs about as much as running a
 * small statement. Same SQL text, same prepared statement (better-sqlite3 statements are reusable;
 * queries run one at a time on this single connection). A statement that can write, and every
 * COMMIT, tells `wal` so that a sync of the WAL follows it (see {@link WalSync}).
 */
function withStatementCache(sqlite: SQLite.Database, wrote: () => void) {
  const cache = new Map<string, { raw: SQLite.Statement; driver: DriverStatement }>();
  const entry = (sql: string) => {
    let e = cache.get(sql);
    if (!e) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      const raw = sqlite.prepare(sql);
      e = { raw, driver: driverStatement(raw, sql, wrote) };
      cache.set(sql, e);
    }
    return e;
  };
  return {
    /** For Kysely's driver: a statement that tells `wrote` when it may have written. */
    prepare: (sql: string): DriverStatement => entry(sql).driver,
    /** The same prepared statement, bare (a synchronous batch tells `wrote` once, at its end). */
    prepared: (sql: string): SQLite.Statement => entry(sql).raw,
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

function driverStatement(stmt: SQLite.Statement, sql: string, wrote: () => void): DriverStatement {
  // sqlite3_stmt_readonly is true for BEGIN and COMMIT themselves: a COMMIT is what makes the
  // transaction's writes durable-to-be, so it counts as a write here.
  if (stmt.readonly && !/^\s*(commit|end)\b/i.test(sql)) return stmt;
  return {
    reader: stmt.reader,
    all(parameters) {
      try {
        return stmt.all(parameters);
      } finally {
        wrote();
      }
    },
    run(parameters) {
      try {
        return stmt.run(parameters);
      } finally {
        wrote();
      }
    },
    iterate(parameters) {
      wrote();
      return stmt.iterate(parameters);
    },
  };
}
