import { randomUUID } from "node:crypto";
import { isBlobId } from "@hearth/protocol";
import pg from "pg";
import type { BlobPutResult, BlobStore } from "../blob-store.ts";

/** The slice of a `pg` client this store uses. */
interface PgQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The slice of a `pg` pool this store uses. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(): void }>;
  end(): Promise<void>;
}

/** Options of {@link PostgresBlobStore}. */
export interface PostgresBlobStoreOptions {
  /** The pool it queries (its own; {@link PostgresBlobStore.close} ends it). */
  pool: PgPoolLike;
  /** Bytes per stored chunk (default 256 KiB): an upload is held in memory one chunk at a time. */
  chunkBytes?: number;
  /**
   * Chunks of an upload a crash cut off are removed on the first upload after start once they are
   * older than this (default 1 hour: longer than any live upload on any node).
   */
  staleUploadMs?: number;
}

/** Options of {@link openPostgresBlobStore}. */
export interface OpenPostgresBlobStoreOptions {
  /** `postgres://…`, usually the same database as the storage (`HEARTH_DATABASE_URL`). */
  connectionString: string;
  /** The schema of its tables (created if missing), as `PostgresStorageOptions.schema`. */
  schema?: string;
  /** Connections in its pool (default 4). */
  poolSize?: number;
  chunkBytes?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A {@link BlobStore} in PostgreSQL, for several nodes without a shared folder: every node reads
 * every blob. Its own two tables (created at open if missing, beside the storage's): `blob_chunks`
 * (an upload's bytes in numbered chunks, written as they stream in, so memory stays at one chunk)
 * and `blob_objects` (a blob's id, size and upload, written last). A blob exists once its
 * `blob_objects` row is committed, so a failed, refused or crashed upload is never visible; its
 * chunks are deleted at once (or, after a crash, swept once stale).
 *
 * @example
 * const blobs = await openPostgresBlobStore({ connectionString: process.env.HEARTH_DATABASE_URL });
 * const server = await buildServer({ storage, blobStore: blobs, ... });
 */
export class PostgresBlobStore implements BlobStore {
  readonly #pool: PgPoolLike;
  readonly #chunkBytes: number;
  readonly #staleUploadMs: number;
  #swept: Promise<void> | undefined;

  constructor(options: PostgresBlobStoreOptions) {
    this.#pool = options.pool;
    this.#chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.#staleUploadMs = options.staleUploadMs ?? 3600_000;
  }

  /** Creates the tables if missing (safe when several nodes start at once). */
  async createTables(): Promise<void> {
    for (const ddl of [
      `create table if not exists blob_objects (
         id text primary key,
         upload_id text not null unique,
         size bigint not null,
         created_at timestamptz not null default now())`,
      `create table if not exists blob_chunks (
         upload_id text not null,
         idx integer not null,
         data bytea not null,
         created_at timestamptz not null default now(),
         primary key (upload_id, idx))`,
    ]) {
      await ignoringRace(() => this.#pool.query(ddl));
    }
  }

  async check(): Promise<void> {
    // A chunk written and rolled back: what an upload does first (permissions, a full disk, a
    // read-only replica and a lost connection all fail here), leaving nothing.
    const client = await this.#pool.connect();
    try {
      await client.query("begin");
      await client.query("insert into blob_chunks (upload_id, idx, data) values ($1, 0, $2)", [
        `probe-${randomUUID()}`,
        Buffer.alloc(1),
      ]);
    } finally {
      await client.query("rollback").catch(() => undefined);
      client.release();
    }
  }

  async put(id: string, body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<BlobPutResult> {
    checkId(id);
    // Best effort: a failed sweep must not block uploads.
    this.#swept ??= this.#sweep().catch(() => undefined);
    await this.#swept;
    const uploadId = randomUUID();
    let committed = false;
    try {
      let size = 0;
      let idx = 0;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        await this.#pool.query("insert into blob_chunks (upload_id, idx, data) values ($1, $2, $3)", [
          uploadId,
          idx++,
          Buffer.concat(pending),
        ]);
        pending = [];
        pendingBytes = 0;
      };
      for await (const part of body) {
        size += part.byteLength;
        if (size > maxBytes) return { ok: false, code: "blob_too_large" };
        pending.push(part);
        pendingBytes += part.byteLength;
        if (pendingBytes >= this.#chunkBytes) await flush();
      }
      await flush();
      // The commit of this row is the moment the blob exists (PostgreSQL's commit is durable).
      await this.#pool.query("insert into blob_objects (id, upload_id, size) values ($1, $2, $3)", [
        id,
        uploadId,
        size,
      ]);
      committed = true;
      return { ok: true, size };
    } finally {
      if (!committed) {
        await this.#pool
          .query("delete from blob_chunks where upload_id = $1", [uploadId])
          .catch(() => undefined);
      }
    }
  }

  async get(id: string) {
    checkId(id);
    const { rows } = await this.#pool.query("select upload_id, size from blob_objects where id = $1", [id]);
    const row = rows[0];
    if (!row) return undefined;
    const uploadId = String(row.upload_id);
    const size = Number(row.size);
    const pool = this.#pool;
    async function* stream(): AsyncGenerator<Uint8Array> {
      let read = 0;
      for (let idx = 0; read < size; idx++) {
        const r = await pool.query("select data from blob_chunks where upload_id = $1 and idx = $2", [
          uploadId,
          idx,
        ]);
        const data = r.rows[0]?.data as Buffer | undefined;
        // Deleted for everyone while it was being read.
        if (!data) throw new Error("PostgresBlobStore: the blob went away while it was read");
        read += data.byteLength;
        yield new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }
    }
    return { size, stream: stream() };
  }

  async delete(id: string) {
    checkId(id);
    // One statement: the blob and its chunks go together.
    await this.#pool.query(
      `with gone as (delete from blob_objects where id = $1 returning upload_id)
       delete from blob_chunks where upload_id in (select upload_id from gone)`,
      [id],
    );
  }

  /** Ends the pool. */
  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Removes chunks of uploads a crash cut off (see {@link PostgresBlobStoreOptions.staleUploadMs}). */
  async #sweep() {
    await this.#pool.query(
      `delete from blob_chunks c
        where c.created_at < now() - make_interval(secs => $1)
          and not exists (select 1 from blob_objects o where o.upload_id = c.upload_id)`,
      [this.#staleUploadMs / 1000],
    );
  }
}

/**
 * Opens a {@link PostgresBlobStore} with a pool of its own and creates its tables if missing.
 *
 * @example
 * const blobs = await openPostgresBlobStore({ connectionString: "postgres://hearth@db/hearth", schema: "hearth" });
 */
export async function openPostgresBlobStore(o: OpenPostgresBlobStoreOptions): Promise<PostgresBlobStore> {
  if (o.schema !== undefined && !SCHEMA_NAME.test(o.schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(o.schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: o.connectionString,
    max: o.poolSize ?? 4,
    ...(o.schema === undefined ? {} : { options: `-c search_path=${o.schema}` }),
  });
  // An idle connection that fails is discarded by the pool; without a listener it would crash the process.
  pool.on("error", () => {});
  // The same for a connection checked out when the server goes away (a restart of PostgreSQL): its
  // query fails and tells the caller; the pool discards it on release.
  pool.on("connect", (client) => client.on("error", () => {}));
  const store = new PostgresBlobStore({
    pool: pool as unknown as PgPoolLike,
    ...(o.chunkBytes ? { chunkBytes: o.chunkBytes } : {}),
  });
  try {
    // The name matched SCHEMA_NAME, so quoting it is all the escaping it needs.
    if (o.schema !== undefined)
      await ignoringRace(() => pool.query(`create schema if not exists "${o.schema}"`));
    await store.createTables();
  } catch (err) {
    await pool.end();
    throw err;
  }
  return store;
}

/** A broken invariant, not user input: ids are made by the server and validated at the route. */
function checkId(id: string) {
  if (!isBlobId(id)) throw new Error("PostgresBlobStore: not a blob id");
}

/**
 * Two nodes creating the same table or schema at once: both pass "if not exists", the loser fails
 * with a unique violation on the catalog (23505), "relation/schema already exists" (42P07, 42P06)
 * or "type already exists" (42710, the table's row type), though all it wanted now exists.
 */
async function ignoringRace(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== "23505" && code !== "42P07" && code !== "42P06" && code !== "42710") throw err;
  }
}
