import { sql } from "kysely";
import type { StorageDialect } from "../kysely/storage-dialect.ts";

/**
 * SQLite's differences: none of the locks are needed. SQLite admits one writer at a time (and this
 * process holds its only connection), so every write transaction already runs alone. Deleted
 * content is wiped from the WAL after each batch of deletes.
 */
export const sqliteDialect: StorageDialect = Object.freeze<StorageDialect>({
  name: "sqlite",
  concurrentWriters: false,
  async lockConversations() {},
  async lockAuditChain() {},
  async lockSchemaChange() {},
  async afterErase(db) {
    // The page versions from before a delete live on in the WAL until a checkpoint copies the new
    // ones over; TRUNCATE then empties the WAL file. Through Kysely, so it waits for (and never runs
    // inside) a transaction on the one connection.
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  },
  claimRow: (query) => query,
});
