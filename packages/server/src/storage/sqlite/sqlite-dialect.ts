import type { StorageDialect } from "../kysely/storage-dialect.ts";

/**
 * SQLite's differences: none of the locks are needed. SQLite admits one writer at a time (and this
 * process holds its only connection), so every write transaction already runs alone.
 */
export const sqliteDialect: StorageDialect = Object.freeze<StorageDialect>({
  name: "sqlite",
  async lockConversations() {},
  async lockAuditChain() {},
  claimRow: (query) => query,
});
