import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { AuditLog } from "../modules/audit/audit-log.ts";
import { AT_REST_META_KEY, AtRestKeyError } from "../storage/at-rest/seal-in-place.ts";
import { openPostgresStorage } from "../storage/postgres/postgres-storage.ts";
import { BackupError } from "./backup-error.ts";
import { copyBlobsToPostgres } from "./migrate-blobs.ts";
import type { Progress } from "./progress.ts";

/** What `hearth migrate-store` needs. */
export interface MigrateStoreOptions {
  dataDir: string;
  /** `postgres://…` of the target. */
  to: string;
  /** The target schema (created if missing); default the connection's search path. */
  schema?: string;
  /**
   * The at-rest key, when the SQLite store is encrypted at rest (or is to be encrypted on the
   * target): the rows are copied as they are (ciphertext stays ciphertext; it is bound to table,
   * column and row id, not to the database), and the target is opened with it at the end.
   */
  atRestKey?: Uint8Array;
  /**
   * `files` (default): blobs stay in the data directory's folder. `postgres`: they are also copied
   * into the PostgreSQL blob store (`HEARTH_BLOB_STORE=postgres`) and verified by hash.
   */
  blobs?: "files" | "postgres";
  progress: Progress;
}

/** Per table: rows and an order-independent SHA-256 of them, as both databases hold them. */
export type TableDigest = { rows: number; sha256: string };

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Tables of Kysely's own bookkeeping: each database keeps its own. */
const OWN = new Set(["kysely_migration", "kysely_migration_lock"]);

/** A value as both databases give it back, in one form: bytes as hex, numbers as decimal text. */
function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return `x${Buffer.from(v).toString("hex")}`;
  if (typeof v === "number" || typeof v === "bigint") return `n${String(v)}`;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return `n${v}`;
  return v;
}

/** Hash of a table's rows whatever their order: each row hashed by column name, the hashes sorted. */
function digestRows(rows: Iterable<Record<string, unknown>>): TableDigest {
  const hashes: string[] = [];
  for (const row of rows) {
    const keys = Object.keys(row).sort();
    hashes.push(
      createHash("sha256")
        .update(JSON.stringify(keys.map((k) => [k, canonical(row[k])])))
        .digest("hex"),
    );
  }
  hashes.sort();
  const h = createHash("sha256");
  for (const x of hashes) h.update(x);
  return { rows: hashes.length, sha256: h.digest("hex") };
}

/** The tables of a SQLite database, parents before children (by their foreign keys). */
function tablesInOrder(db: SQLite.Database): string[] {
  const names = (
    db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !OWN.has(n));
  const parents = new Map(
    names.map((n) => [
      n,
      (db.prepare(`pragma foreign_key_list(${quote(n)})`).all() as { table: string }[])
        .map((f) => f.table)
        .filter((t) => t !== n),
    ]),
  );
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const p of parents.get(n) ?? []) visit(p);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

async function pgDigest(client: pg.Client, table: string): Promise<TableDigest> {
  const r = await client.query(`select * from ${quote(table)}`);
  return digestRows(r.rows as Record<string, unknown>[]);
}

/**
 * `hearth migrate-store`: copies the embedded SQLite store into PostgreSQL. It works from a snapshot
 * (SQLite's backup API), so stop the server first or what it writes after the snapshot stays behind.
 * The target is migrated to the same schema version, then each table is copied in foreign-key order,
 * in batches, with progress; a table already complete in the target is skipped and a partial one
 * emptied and copied again, so an interrupted run resumes where it stopped. At the end every table's
 * row count and order-independent hash are compared, identity sequences moved past the copied ids,
 * and the audit chain verified on the target.
 */
export async function migrateStore(o: MigrateStoreOptions): Promise<Record<string, TableDigest>> {
  const dbPath = join(o.dataDir, "hearth.db");
  if (!existsSync(dbPath)) throw new BackupError("usage", `No SQLite database at ${dbPath} to migrate.`);
  const work = await mkdtemp(join(tmpdir(), "hearth-migrate-"));
  const snapshotPath = join(work, "hearth.db");
  try {
    const live = new SQLite(dbPath, { readonly: true, fileMustExist: true });
    try {
      await live.backup(snapshotPath, { progress: ({ totalPages }) => totalPages });
    } finally {
      live.close();
    }
    // The target gets every migration first (the same tables, columns and version as the source).
    // Opened without the at-rest key, so an empty target gets no check value of its own; a rerun
    // finds the one copied from the source and refuses the missing key, after migrating, which is
    // all this step is for (the key is checked at the end).
    const storage = await openPostgresStorage({
      connectionString: o.to,
      ...(o.schema ? { schema: o.schema } : {}),
    }).catch((err: unknown) => {
      if (err instanceof AtRestKeyError) return undefined;
      throw err;
    });
    await storage?.close();
    const src = new SQLite(snapshotPath, { readonly: true });
    const sealed = src.prepare("select value from meta where key = ?").get(AT_REST_META_KEY) !== undefined;
    if (sealed && !o.atRestKey) {
      src.close();
      throw new BackupError(
        "usage",
        "The SQLite store is encrypted at rest and no at-rest key is configured: set HEARTH_AT_REST_KEY or keep at-rest.key in the data directory.",
      );
    }
    const client = new pg.Client({
      connectionString: o.to,
      ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
    });
    await client.connect();
    const digests: Record<string, TableDigest> = {};
    const blobIds = (src.prepare("select id from blobs order by id").all() as { id: string }[]).map(
      (r) => r.id,
    );
    try {
      const tables = tablesInOrder(src);
      const counts = new Map(
        tables.map((t) => [
          t,
          (src.prepare(`select count(*) as n from ${quote(t)}`).get() as { n: number }).n,
        ]),
      );
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      let done = 0;
      for (const t of tables) {
        const want = counts.get(t) ?? 0;
        const have = Number((await client.query(`select count(*) as n from ${quote(t)}`)).rows[0].n);
        if (have > want) {
          throw new BackupError(
            "refused",
            `The target's table ${t} holds ${have} rows, more than the source's ${want}: it is not empty.`,
          );
        }
        if (have === want && want > 0) {
          done += want;
          o.progress.update("copy", done, total, "rows");
          continue;
        }
        if (have > 0) await client.query(`delete from ${quote(t)}`);
        const columns = (src.prepare(`pragma table_info(${quote(t)})`).all() as { name: string }[]).map(
          (c) => c.name,
        );
        const batch = Math.max(1, Math.min(1000, Math.floor(60_000 / columns.length)));
        let rows: unknown[][] = [];
        const flush = async () => {
          if (rows.length === 0) return;
          const params: unknown[] = [];
          const tuples = rows.map((r) => {
            const ph = r.map((v) => {
              params.push(v);
              return `$${params.length}`;
            });
            return `(${ph.join(",")})`;
          });
          await client.query(
            `insert into ${quote(t)} (${columns.map(quote).join(",")}) values ${tuples.join(",")}`,
            params,
          );
          done += rows.length;
          o.progress.update("copy", done, total, "rows");
          rows = [];
        };
        await client.query("begin");
        try {
          for (const row of src
            .prepare(`select * from ${quote(t)}`)
            .raw()
            .iterate() as IterableIterator<unknown[]>) {
            rows.push(row);
            if (rows.length >= batch) await flush();
          }
          await flush();
          await client.query("commit");
        } catch (err) {
          await client.query("rollback");
          throw err;
        }
      }
      // Identity columns continue after the ids copied into them.
      const serials = await client.query(
        `select table_name, column_name from information_schema.columns
          where table_schema = current_schema() and column_default like 'nextval(%'`,
      );
      for (const s of serials.rows as { table_name: string; column_name: string }[]) {
        await client.query(
          `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(s.column_name)}) from ${quote(s.table_name)}), 0) + 1, false)`,
          [quote(s.table_name), s.column_name],
        );
      }
      for (const t of tables) {
        o.progress.update("verify", tables.indexOf(t) + 1, tables.length, "tables");
        const a = digestRows(
          src.prepare(`select * from ${quote(t)}`).iterate() as Iterable<Record<string, unknown>>,
        );
        const b = await pgDigest(client, t);
        if (a.rows !== b.rows || a.sha256 !== b.sha256) {
          throw new BackupError(
            "failed",
            `Table ${t} differs after the copy: ${a.rows} rows in SQLite, ${b.rows} in PostgreSQL, or their contents.`,
          );
        }
        digests[t] = a;
      }
    } finally {
      src.close();
      await client.end();
    }
    const target = await openPostgresStorage({
      connectionString: o.to,
      ...(o.schema ? { schema: o.schema } : {}),
      ...(o.atRestKey ? { atRestKey: o.atRestKey } : {}),
    });
    let blobNote = `Blobs stay in ${join(o.dataDir, "blobs")}: start the PostgreSQL nodes with that folder as their blob store`;
    try {
      const chain = await new AuditLog(target.audit).verify();
      if (!chain.ok)
        throw new BackupError(
          "failed",
          `The audit chain does not verify on the target (broken at entry ${chain.brokenAt}).`,
        );
      if (o.blobs === "postgres") {
        const b = await copyBlobsToPostgres({
          dataDir: o.dataDir,
          ids: blobIds,
          to: o.to,
          ...(o.schema ? { schema: o.schema } : {}),
          progress: o.progress,
        });
        blobNote = `${b.copied} blobs (${b.bytes} bytes) copied into PostgreSQL and verified by SHA-256${b.gone ? ` (${b.gone} deleted meanwhile)` : ""}: start the nodes with HEARTH_BLOB_STORE=postgres`;
      }
      o.progress.done(
        `Copied ${Object.keys(digests).length} tables (${Object.values(digests).reduce((a, d) => a + d.rows, 0)} rows) into PostgreSQL; every row count and hash matches, and the audit chain (${chain.count} entries) verifies. ${blobNote}${o.atRestKey ? ", and with HEARTH_AT_REST_KEY set to the at-rest key (names, logins and emails stay encrypted)" : ""}.`,
      );
    } finally {
      await target.close();
    }
    return digests;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
