import { sql } from "kysely";
import type { StorageDialect } from "../kysely/storage-dialect.ts";

/** The advisory lock key that serialises audit-chain writers across every node. */
const AUDIT_CHAIN_LOCK = 7201;
/** The advisory lock key that serialises whole-database rewrites (encryption at rest) across nodes. */
const SCHEMA_CHANGE_LOCK = 7202;

/**
 * PostgreSQL's differences: writers run concurrently (many connections, many nodes), so appends
 * lock their conversations' rows, audit writers take an advisory lock, and claims skip locked rows.
 */
export const postgresDialect: StorageDialect = Object.freeze<StorageDialect>({
  name: "postgres",
  concurrentWriters: true,
  async lockConversations(db, ids) {
    // One statement, in id order: under the lock each append check sees every append committed
    // before it (a resend racing its original is a duplicate, not a unique-index failure), and two
    // batches touching the same conversations in different orders cannot deadlock.
    await db
      .selectFrom("conversations")
      .select("id")
      .where("id", "in", [...ids])
      .orderBy("id")
      .forUpdate()
      .execute();
  },
  async lockAuditChain(db) {
    await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(db);
  },
  async lockSchemaChange(db) {
    await sql`select pg_advisory_xact_lock(${sql.lit(SCHEMA_CHANGE_LOCK)})`.execute(db);
  },
  // Old row versions are left to VACUUM; there is no log file of this process to empty.
  async afterErase() {},
  claimRow: (query) => query.forUpdate().skipLocked(),
});
