import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import pg from "pg";
import { expect, it } from "vitest";
import { newBlobId } from "../src/modules/blobs/blob-service.ts";
import { openPostgresBlobStore } from "../src/modules/blobs/postgres/postgres-blob-store.ts";
import { runBlobStoreSuite } from "./blob-store-suite.ts";

/** What the store's tables hold now, one name per object and chunk. */
async function tableContents(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `select 'object:' || id as name from blob_objects
       union all select 'chunk:' || upload_id || ':' || idx from blob_chunks order by 1`,
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

describeWithService(
  "PostgreSQL blob store",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    // Small chunks, so the suite's blobs span several rows (and a chunk boundary falls mid-part).
    runBlobStoreSuite("chunks in an isolated schema", async () => {
      const schema = uniqueSchemaName("hearth_blobs");
      const blobs = await openPostgresBlobStore({
        connectionString: POSTGRES_URL,
        schema,
        chunkBytes: 16_384,
      });
      return {
        blobs,
        contents: () => tableContents(schema),
        cleanup: async () => {
          await blobs.close();
          await dropSchema(schema);
        },
      };
    });

    it("is shared: a blob one node stores, another reads and deletes (two stores, two pools)", async () => {
      const schema = uniqueSchemaName("hearth_blobs");
      const [a, b] = await Promise.all([
        openPostgresBlobStore({ connectionString: POSTGRES_URL, schema, chunkBytes: 1000 }),
        openPostgresBlobStore({ connectionString: POSTGRES_URL, schema, chunkBytes: 1000 }),
      ]);
      try {
        const id = newBlobId();
        const data = new Uint8Array(4321).map((_, i) => i & 0xff);
        expect(await a.put(id, chunks(data), 10_000)).toEqual({ ok: true, size: 4321 });
        const got = await b.get(id);
        const parts: Uint8Array[] = [];
        for await (const p of got!.stream) parts.push(p);
        expect(new Uint8Array(Buffer.concat(parts))).toEqual(data);
        await b.delete(id);
        expect(await a.get(id)).toBeUndefined();
        expect(await tableContents(schema)).toEqual([]);
        await a.check();
        expect(await tableContents(schema)).toEqual([]);
      } finally {
        await a.close();
        await b.close();
        await dropSchema(schema);
      }
    });
  },
);
