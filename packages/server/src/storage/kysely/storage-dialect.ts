import type { Kysely, SelectQueryBuilder, Transaction } from "kysely";
import type { SqlDialect } from "../migrations.ts";
import type { Database } from "../schema.ts";

/** A connection or an open transaction: every Kysely store runs its queries on one of these. */
export type Db = Kysely<Database> | Transaction<Database>;

/**
 * What differs between the SQL databases, in one place, so the Kysely stores hold no
 * `if (dialect === ...)`. Each backend has one (`sqlite/sqlite-dialect.ts`,
 * `postgres/postgres-dialect.ts`); a new backend writes its own. Every method runs inside the
 * caller's transaction.
 */
export interface StorageDialect {
  /** Which migrations to run. */
  readonly name: SqlDialect;
  /**
   * Whether several writers run at once (PostgreSQL: a pool, many nodes). Then a batch of appends
   * commits one transaction per conversation, side by side, so a lock is held only for one
   * conversation's few statements; with one writer at a time (SQLite) one transaction per batch is
   * the group commit.
   */
  readonly concurrentWriters: boolean;
  /**
   * Locks the given conversations' rows until the transaction ends, in one canonical (id) order so
   * two batches cannot deadlock. A database that admits one writer at a time needs nothing.
   */
  lockConversations(db: Db, ids: readonly string[]): Promise<void>;
  /** Serialises appends to the audit chain until the transaction ends (no two rows share a predecessor). */
  lockAuditChain(db: Db): Promise<void>;
  /**
   * Serialises whole-database rewrites (encrypting a plaintext database at rest) between nodes
   * starting at once, until the transaction ends.
   */
  lockSchemaChange(db: Db): Promise<void>;
  /**
   * Makes a `select` that claims one row (a key package) skip rows other transactions have locked
   * and lock the one it takes; unchanged where writers are serialised anyway.
   */
  /**
   * Runs after a committed append that deleted messages for everyone (once per batch), outside any
   * transaction: where the database keeps old page versions in a log (SQLite's WAL), it empties it
   * so the erased ciphertext leaves the disk at once.
   */
  afterErase(db: Kysely<Database>): Promise<void>;
  claimRow<TB extends keyof Database, O>(
    query: SelectQueryBuilder<Database, TB, O>,
  ): SelectQueryBuilder<Database, TB, O>;
}

/** Runs `fn` in a transaction: the caller's when `db` is one already, else a new one. */
export async function inTransaction<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return (db as Kysely<Database>).transaction().execute(fn);
}

/** Drivers hand back Buffer (a Uint8Array subclass); a plain view keeps the type stable. */
export const bytesOf = (b: Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
