import { randomBytes } from "node:crypto";
import { Kysely, PostgresDialect } from "kysely";
import { Client, Pool } from "pg";

/** The PostgreSQL the tests use (trust auth on localhost in CI); override with HEARTH_TEST_POSTGRES_URL. */
export const POSTGRES_URL = process.env.HEARTH_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Is PostgreSQL answering at `url`? Gives up after two seconds. */
export async function postgresReachable(url = POSTGRES_URL): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  // A refused connection can also surface as an `error` event; without a listener it would throw.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name, so parallel test files (and parallel tests) never share tables. */
export function uniqueSchemaName(prefix = "hearth_test"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** Names are spliced into SQL below: accept only plain lowercase identifiers. */
const checkName = (schema: string) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${JSON.stringify(schema)}`);
};

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = POSTGRES_URL): Promise<void> {
  checkName(schema);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * A bare Kysely over a new, empty schema — no migrations run — for tests that drive the migrator
 * themselves. `destroy()` closes the pool; drop the schema with {@link dropSchema}.
 */
export async function openEmptyPostgresSchema<DB>(schema: string, url = POSTGRES_URL): Promise<Kysely<DB>> {
  checkName(schema);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
  const pool = new Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
