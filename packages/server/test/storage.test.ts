import { randomBytes } from "node:crypto";
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
import { openPostgresStorage } from "../src/storage/postgres/postgres-storage.ts";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";
import { runAdminSuite } from "./stores/admin-suite.ts";
import { runAppointmentSuite } from "./stores/appointment-suite.ts";
import { runAuditSuite } from "./stores/audit-suite.ts";
import { runAuthSuite } from "./stores/auth-suite.ts";
import { runBlobMetaSuite } from "./stores/blob-meta-suite.ts";
import { runCheckinSuite } from "./stores/checkin-suite.ts";
import { runConversationSuite } from "./stores/conversation-suite.ts";
import { runDeliverySuite } from "./stores/delivery-suite.ts";
import { runKeysSuite } from "./stores/keys-suite.ts";
import { runNotifySuite } from "./stores/notify-suite.ts";
import { runOfficeHoursSuite } from "./stores/office-hours-suite.ts";
import { runPushSuite } from "./stores/push-suite.ts";
import { runScheduleSuite } from "./stores/schedule-suite.ts";
import type { MakeStorage } from "./stores/storage-fixtures.ts";
import { runStorageSuite } from "./stores/storage-suite.ts";

/** Every port's conformance suite, and the aggregate's; a new module adds its suite here. */
function runEverySuite(makeStorage: MakeStorage) {
  runAuthSuite(makeStorage);
  runConversationSuite(makeStorage);
  runDeliverySuite(makeStorage);
  runKeysSuite(makeStorage);
  runBlobMetaSuite(makeStorage);
  runAuditSuite(makeStorage);
  runAdminSuite(makeStorage);
  runScheduleSuite(makeStorage);
  runNotifySuite(makeStorage);
  runPushSuite(makeStorage);
  runCheckinSuite(makeStorage);
  runAppointmentSuite(makeStorage);
  runOfficeHoursSuite(makeStorage);
  runStorageSuite(makeStorage);
}

describe("SQLite storage (a database file in a temp dir)", () => {
  // Always a real file (WAL, fsync): the in-memory database behaves differently.
  runEverySuite(async () => {
    const dir = await makeTempDir();
    try {
      const storage = await openSqliteStorage({ path: join(dir.path, "hearth.db") });
      return {
        storage,
        cleanup: async () => {
          await storage.close();
          await dir.remove();
        },
      };
    } catch (err) {
      await dir.remove();
      throw err;
    }
  });
});

/** One at-rest key for the encrypted runs below (any 32 bytes: the suites never see it). */
const AT_REST_KEY = new Uint8Array(randomBytes(32));

describe("SQLite storage, encrypted at rest (names, logins, emails, push endpoints sealed)", () => {
  // The same suites: encryption at rest changes how rows are stored, never what the ports answer.
  runEverySuite(async () => {
    const dir = await makeTempDir();
    try {
      const storage = await openSqliteStorage({ path: join(dir.path, "hearth.db"), atRestKey: AT_REST_KEY });
      return {
        storage,
        cleanup: async () => {
          await storage.close();
          await dir.remove();
        },
      };
    } catch (err) {
      await dir.remove();
      throw err;
    }
  });
});

describeWithService("PostgreSQL storage", await postgresReachable(), `PostgreSQL at ${POSTGRES_URL}`, () => {
  describe("an isolated schema", () => {
    // Each test gets a schema of its own, dropped afterwards, so test files can run in parallel.
    runEverySuite(async () => {
      const schema = uniqueSchemaName();
      try {
        const storage = await openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 5 });
        return {
          storage,
          cleanup: async () => {
            await storage.close();
            await dropSchema(schema);
          },
        };
      } catch (err) {
        await dropSchema(schema);
        throw err;
      }
    });
  });

  describe("an isolated schema, encrypted at rest", () => {
    runEverySuite(async () => {
      const schema = uniqueSchemaName();
      try {
        const storage = await openPostgresStorage({
          connectionString: POSTGRES_URL,
          schema,
          poolSize: 5,
          atRestKey: AT_REST_KEY,
        });
        return {
          storage,
          cleanup: async () => {
            await storage.close();
            await dropSchema(schema);
          },
        };
      } catch (err) {
        await dropSchema(schema);
        throw err;
      }
    });
  });

  it("keeps two Hearth schemas in one database apart, both open at once", async () => {
    // Regression: Kysely's migrator looked for its bookkeeping table in every schema, so a second
    // schema skipped creating its own and then failed to find it.
    const schemas = [uniqueSchemaName(), uniqueSchemaName()];
    try {
      const a = await openPostgresStorage({
        connectionString: POSTGRES_URL,
        schema: schemas[0],
        poolSize: 2,
      });
      try {
        const b = await openPostgresStorage({
          connectionString: POSTGRES_URL,
          schema: schemas[1],
          poolSize: 2,
        });
        try {
          await a.auth.setMeta("who", "a");
          await b.auth.setMeta("who", "b");
          expect([await a.auth.getMeta("who"), await b.auth.getMeta("who")]).toEqual(["a", "b"]);
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
      openPostgresStorage({ connectionString: POSTGRES_URL, schema: 'x"; drop table users; --' }),
    ).rejects.toThrow(/invalid PostgreSQL schema name/);
  });
});
