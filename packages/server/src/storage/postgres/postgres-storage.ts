import { Kysely, PostgresDialect } from "kysely";
import { Pool } from "pg";
import { codecFor } from "../at-rest/codec-for.ts";
import { sealInPlace } from "../at-rest/seal-in-place.ts";
import { kyselyStorage } from "../kysely/kysely-storage.ts";
import { migrate } from "../migrations.ts";
import type { Database } from "../schema.ts";
import type { Storage } from "../storage.ts";
import { postgresDialect } from "./postgres-dialect.ts";

/** Options of the PostgreSQL storage. */
export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /**
   * A schema of its own (created if missing): every pooled connection gets it as its only
   * `search_path` entry, so several Hearth instances — or parallel test runs — can share one
   * database without seeing each other's tables. Lowercase letters, digits and `_`. Default: the
   * server's default search path (normally `public`).
   */
  schema?: string;
  /** Connections in the pool (default 10). Concurrent appends wait for one. */
  poolSize?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, the network dropped). The
   * pool discards it and opens a fresh one on the next checkout; without a listener, pg's `error`
   * event would crash the process.
   */
  onConnectionError?: (err: Error) => void;
  /**
   * The 32-byte at-rest key: names, logins, emails and push endpoints are then stored encrypted
   * (`storage/at-rest`), and a plaintext database is encrypted in place on open. Undefined: off.
   */
  atRestKey?: Uint8Array;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens (and migrates) the PostgreSQL storage, for deployments that run several server nodes
 * against one database.
 *
 * @example
 * const storage = await openPostgresStorage({ connectionString: "postgres://hearth@db/hearth" });
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  }
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    // A startup parameter rather than a `SET` after connect: it holds for every connection the pool
    // ever opens, with no window in which a query could run on the default path.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on("error", options.onConnectionError ?? (() => {}));
  // The pool listens for errors only on idle connections. One checked out (say, held by a
  // transaction between two statements) when the server goes away would otherwise emit `error` with
  // no listener and crash the process; its caller learns of the loss from its failing query, and the
  // pool discards the connection when it is released.
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const codec = codecFor(options.atRestKey);
  try {
    if (schema !== undefined) await createSchema(pool, schema);
    await migrate(db as Kysely<unknown>, postgresDialect.name);
    await sealInPlace(db, codec, postgresDialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return kyselyStorage(db, postgresDialect, codec, {
    close: () => db.destroy(),
    async ping() {
      await pool.query("select 1");
    },
    // A commit has returned only once PostgreSQL made it durable (synchronous_commit on).
    durable: async () => {},
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  });
}

async function createSchema(pool: Pool, schema: string): Promise<void> {
  try {
    // The name matched SCHEMA_NAME, so quoting it is all the escaping it needs.
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    // Two nodes starting at once can both pass the "if not exists" check; the loser gets a unique
    // violation on pg_namespace (23505) although the schema now exists, which is all we wanted.
    if ((err as { code?: unknown }).code !== "23505") throw err;
  }
}
