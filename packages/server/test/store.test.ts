import { join } from "node:path";
import {
  describeWithService,
  dropSchema,
  makeTempDir,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { describe, expect, it } from "vitest";
import { openPostgresStore } from "../src/storage/postgres/postgres-store.ts";
import { openSqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { runStoreSuite } from "./store-suite.ts";

describe("SQLite store", () => {
  // Always a real file (WAL, fsync): the in-memory database behaves differently.
  runStoreSuite("a database file in a temp dir", async () => {
    const dir = await makeTempDir();
    try {
      const store = await openSqliteStore({ path: join(dir.path, "hearth.db") });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await dir.remove();
        },
      };
    } catch (err) {
      await dir.remove();
      throw err;
    }
  });
});

describeWithService("PostgreSQL store", await postgresReachable(), `PostgreSQL at ${POSTGRES_URL}`, () => {
  // Each test gets a schema of its own, dropped afterwards, so test files can run in parallel.
  runStoreSuite("an isolated schema", async () => {
    const schema = uniqueSchemaName();
    try {
      const store = await openPostgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 5 });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await dropSchema(schema);
        },
      };
    } catch (err) {
      await dropSchema(schema);
      throw err;
    }
  });

  it("keeps two Hearth schemas in one database apart, both open at once", async () => {
    // Regression: Kysely's migrator looked for its bookkeeping table in every schema, so a second
    // schema skipped creating its own and then failed to find it.
    const schemas = [uniqueSchemaName(), uniqueSchemaName()];
    try {
      const a = await openPostgresStore({ connectionString: POSTGRES_URL, schema: schemas[0], poolSize: 2 });
      try {
        const b = await openPostgresStore({
          connectionString: POSTGRES_URL,
          schema: schemas[1],
          poolSize: 2,
        });
        try {
          await a.setMeta("who", "a");
          await b.setMeta("who", "b");
          expect([await a.getMeta("who"), await b.getMeta("who")]).toEqual(["a", "b"]);
        } finally {
          await b.close();
        }
      } finally {
        await a.close();
      }
    } finally {
      for (const s of schemas) await dropSchema(s);
    }
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    await expect(
      openPostgresStore({ connectionString: POSTGRES_URL, schema: 'x"; drop table users; --' }),
    ).rejects.toThrow(/invalid PostgreSQL schema name/);
  });
});
