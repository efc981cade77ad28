import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import pg from "pg";
import { openPostgresBlobStore } from "../modules/blobs/postgres/postgres-blob-store.ts";
import { openPostgresStorage } from "../storage/postgres/postgres-storage.ts";
import { BackupError } from "./backup-error.ts";
import type { Progress } from "./progress.ts";

/** A PostgreSQL database (and schema) to back up from or restore into. */
export interface PostgresTarget {
  url: string;
  /** Default: the connection's search path (normally `public`). */
  schema?: string;
}

/** What a snapshot found: rows and a content hash per table, migrations applied, blobs named. */
export interface PostgresSnapshot {
  rows: Record<string, number>;
  digests: Record<string, string>;
  migrations: string[];
  blobIds: string[];
  /** The blobs' bytes are rows of the dump (HEARTH_BLOB_STORE=postgres), not files to add. */
  blobsInDatabase: boolean;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Kysely's bookkeeping: a restore target gets its own by migrating; the names are compared instead. */
const OWN = new Set(["kysely_migration", "kysely_migration_lock"]);
const PAGE = 2000;
/** A table of the PostgreSQL blob store: present when the blobs live in the database. */
const BLOB_TABLE = "blob_objects";

function connect(t: PostgresTarget): pg.Client {
  return new pg.Client({
    connectionString: t.url,
    ...(t.schema ? { options: `-c search_path=${t.schema}` } : {}),
  });
}

/** The current schema's tables, parents before children (by their foreign keys). */
async function tablesInOrder(c: pg.Client): Promise<string[]> {
  const names = (
    await c.query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
    )
  ).rows
    .map((r) => r.name)
    .filter((n) => !OWN.has(n));
  const fks = (
    await c.query<{ child: string; parent: string }>(
      `select cl.relname as child, pl.relname as parent from pg_constraint k
         join pg_class cl on cl.oid = k.conrelid join pg_class pl on pl.oid = k.confrelid
        where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`,
    )
  ).rows;
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const f of fks) if (f.child === n && f.parent !== n) visit(f.parent);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

async function columnsOf(c: pg.Client, table: string): Promise<string[]> {
  return (
    await c.query<{ name: string }>(
      `select column_name as name from information_schema.columns
        where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
      [table],
    )
  ).rows.map((r) => r.name);
}

/**
 * Every row of `table` as PostgreSQL's text form of each value (`::text`: bytea as `\x…` hex,
 * timestamps in ISO), page by page in physical order, so the dump reloads exactly through text
 * parameters and hashes the same on both sides.
 */
async function* rowsOf(c: pg.Client, table: string, columns: string[]): AsyncGenerator<(string | null)[]> {
  const list = columns.map((col) => `${quote(col)}::text`).join(", ");
  let after = "(0,0)";
  for (;;) {
    const r = await c.query({
      text: `select ctid::text, ${list} from ${quote(table)} where ctid > $1::tid order by ctid limit ${PAGE}`,
      values: [after],
      rowMode: "array",
    });
    for (const row of r.rows as (string | null)[][]) yield row.slice(1);
    if (r.rows.length < PAGE) return;
    after = (r.rows.at(-1) as string[])[0]!;
  }
}

/** An order-independent hash of a table: each row's JSON hashed, the hashes sorted and hashed. */
class TableHash {
  readonly #hashes: string[] = [];
  add(row: (string | null)[]) {
    this.#hashes.push(createHash("sha256").update(JSON.stringify(row)).digest("hex"));
  }
  get rows() {
    return this.#hashes.length;
  }
  digest(): string {
    const h = createHash("sha256");
    for (const x of this.#hashes.sort()) h.update(x);
    return h.digest("hex");
  }
}

async function migrationsOf(c: pg.Client): Promise<string[]> {
  return (await c.query<{ name: string }>("select name from kysely_migration order by name")).rows.map(
    (r) => r.name,
  );
}

/**
 * Dumps the database into `file` (JSON lines: a `{"table","columns"}` line, then one array of text
 * values per row) from one REPEATABLE READ, read-only transaction: a consistent point in time while
 * the nodes keep writing.
 */
export async function dumpPostgres(
  t: PostgresTarget,
  file: string,
  progress: Progress,
): Promise<PostgresSnapshot> {
  const c = connect(t);
  await c.connect().catch((err: Error) => {
    throw new BackupError("failed", `Cannot connect to PostgreSQL: ${err.message}`);
  });
  const out = createWriteStream(file, { mode: 0o600 });
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, "drain");
  };
  try {
    await c.query("begin isolation level repeatable read read only");
    const tables = await tablesInOrder(c);
    if (!tables.includes("entries")) {
      throw new BackupError(
        "usage",
        "The PostgreSQL schema holds no Hearth tables (is HEARTH_DATABASE_SCHEMA right?).",
      );
    }
    const snap: PostgresSnapshot = {
      rows: {},
      digests: {},
      migrations: await migrationsOf(c),
      blobIds: [],
      blobsInDatabase: tables.includes(BLOB_TABLE),
    };
    for (const [i, table] of tables.entries()) {
      const columns = await columnsOf(c, table);
      await write(JSON.stringify({ table, columns }));
      const hash = new TableHash();
      for await (const row of rowsOf(c, table, columns)) {
        hash.add(row);
        await write(JSON.stringify(row));
      }
      snap.rows[table] = hash.rows;
      snap.digests[table] = hash.digest();
      progress.update("database", i + 1, tables.length, "tables");
    }
    snap.blobIds = (await c.query<{ id: string }>("select id from blobs order by id")).rows.map((r) => r.id);
    await c.query("commit");
    return snap;
  } finally {
    out.end();
    await once(out, "close");
    await c.end();
  }
}

/**
 * Loads a dump into an empty database or schema: the target is migrated first and must then hold no
 * rows at all; everything is inserted in one transaction, identity sequences moved past the loaded
 * ids, and every table's rows and hash compared with the manifest's before it commits.
 */
export async function loadPostgres(
  t: PostgresTarget,
  file: string,
  expected: { rows: Record<string, number>; digests: Record<string, string>; migrations: string[] },
  progress: Progress,
): Promise<void> {
  if (BLOB_TABLE in expected.rows) {
    // The blob store's tables are its own (created when it opens), not the storage's migrations.
    const blobs = await openPostgresBlobStore({
      connectionString: t.url,
      ...(t.schema ? { schema: t.schema } : {}),
    });
    await blobs.close();
  }
  const storage = await openPostgresStorage({
    connectionString: t.url,
    ...(t.schema ? { schema: t.schema } : {}),
  });
  await storage.close();
  const c = connect(t);
  await c.connect();
  try {
    const have = await migrationsOf(c);
    if (JSON.stringify(have) !== JSON.stringify(expected.migrations)) {
      throw new BackupError(
        "unsupported",
        "The backup was taken by another version of Hearth (its schema migrations differ): restore it with that version, then upgrade.",
      );
    }
    await c.query("begin");
    for (const table of await tablesInOrder(c)) {
      const n = Number((await c.query(`select count(*) as n from ${quote(table)}`)).rows[0].n);
      if (n > 0)
        throw new BackupError(
          "refused",
          `The target's table ${table} is not empty; restore only into an empty database.`,
        );
    }
    const total = Object.values(expected.rows).reduce((a, b) => a + b, 0);
    let done = 0;
    let table = "";
    let columns: string[] = [];
    let batch: (string | null)[][] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const params: (string | null)[] = [];
      const tuples = batch.map((r) => {
        const placeholders = r.map((v) => {
          params.push(v);
          return `$${params.length}`;
        });
        return `(${placeholders.join(",")})`;
      });
      await c.query(
        `insert into ${quote(table)} (${columns.map(quote).join(",")}) values ${tuples.join(",")}`,
        params,
      );
      done += batch.length;
      progress.update("database", done, total, "rows");
      batch = [];
    };
    const perBatch = () => Math.max(1, Math.min(1000, Math.floor(30_000 / Math.max(1, columns.length))));
    for await (const line of createInterface({
      input: createReadStream(file),
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (line === "") continue;
      const v: unknown = JSON.parse(line);
      if (Array.isArray(v)) {
        batch.push(v as (string | null)[]);
        if (batch.length >= perBatch()) await flush();
      } else {
        await flush();
        ({ table, columns } = v as { table: string; columns: string[] });
      }
    }
    await flush();
    const serials = await c.query<{ t: string; col: string }>(
      `select table_name as t, column_name as col from information_schema.columns
        where table_schema = current_schema() and column_default like 'nextval(%'`,
    );
    for (const s of serials.rows) {
      await c.query(
        `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(s.col)}) from ${quote(s.t)}), 0) + 1, false)`,
        [quote(s.t), s.col],
      );
    }
    for (const [name, want] of Object.entries(expected.digests)) {
      const hash = new TableHash();
      for await (const row of rowsOf(c, name, await columnsOf(c, name))) hash.add(row);
      if (hash.rows !== expected.rows[name] || hash.digest() !== want) {
        throw new BackupError(
          "damaged",
          `The restored table ${name} does not match the backup's manifest (rows or contents).`,
        );
      }
    }
    await c.query("commit");
  } catch (err) {
    await c.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    await c.end();
  }
}
