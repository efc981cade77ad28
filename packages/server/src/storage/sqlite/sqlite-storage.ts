import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { kyselyStorage } from "../kysely/kysely-storage.ts";
import { migrate } from "../migrations.ts";
import type { Database } from "../schema.ts";
import type { Storage } from "../storage.ts";
import { sqliteDialect } from "./sqlite-dialect.ts";

/** Options of the embedded SQLite storage. */
export interface SqliteStorageOptions {
  /** Path of the database file. */
  path: string;
  /**
   * `full` (default) fsyncs the WAL at every commit, so an acknowledged message survives even a power
   * loss; `normal` survives a process crash but not an OS crash.
   */
  synchronous?: "full" | "normal";
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
  sqlite.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Freed content (a message deleted for everyone, a used key package) is overwritten with zeros,
  // not left in free pages and free space where a copy of the file would still hold it.
  sqlite.pragma("secure_delete = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  await migrate(db as Kysely<unknown>, sqliteDialect.name);
  return kyselyStorage(db, sqliteDialect, () => db.destroy());
}

/** Most distinct SQL texts kept prepared; the hot paths use a few dozen. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs about as much as running a
 * small statement. Same SQL text, same prepared statement (better-sqlite3 statements are reusable;
 * queries run one at a time on this single connection).
 */
function withStatementCache(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
