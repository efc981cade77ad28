/** Statements run synchronously on the database's one connection (SQLite through better-sqlite3). */
export interface SyncStatements {
  /** Rows of a statement (a `select`, or a write with `returning`). */
  all<R>(sql: string, parameters: readonly unknown[]): R[];
  /** Runs a write; answers how many rows it changed. */
  run(sql: string, parameters: readonly unknown[]): number;
}

/**
 * Runs `fn` as one transaction of synchronous statements, with the connection held (from Kysely's
 * queries) for the whole of it: committed when `fn` returns, rolled back when it throws.
 *
 * Offered by a database whose driver runs statements synchronously (the embedded SQLite). The hot
 * batches (a group commit of messages, a batch of receipt watermarks) run through it instead of one
 * promise, one connection-lock turn and one executor pass per statement: under load Kysely's
 * per-query machinery made a third of the server's allocations (docs/benchmarks.md, "Hot batches
 * without a promise per statement"). Same SQL as the Kysely path, which PostgreSQL and anything
 * inside a caller's transaction keep using.
 */
export type SyncBatch = <T>(fn: (s: SyncStatements) => T) => Promise<T>;
