import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { KyselyStore } from "../kysely-store.ts";
import { migrate } from "../migrations.ts";
import type { Database } from "../schema.ts";
import type { Store } from "../store.ts";

/** Options of the embedded SQLite store. */
export interface SqliteStoreOptions {
  /** Path of the database file. */
  path: string;
  /**
   * `full` (default) fsyncs the WAL at every commit, so an acknowledged message survives even a power
   * loss; `normal` survives a process crash but not an OS crash.
   */
  synchronous?: "full" | "normal";
}

/**
 * Opens (and migrates) the embedded SQLite store: one file, WAL mode, foreign keys on.
 *
 * @example
 * const store = await openSqliteStore({ path: "./data/hearth.db" });
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const sqlite = new SQLite(options.path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db as Kysely<unknown>, "sqlite");
  return new KyselyStore(db, "sqlite", () => db.destroy());
}
