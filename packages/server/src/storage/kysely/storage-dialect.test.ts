import {
  type CompiledQuery,
  type DatabaseIntrospector,
  type Dialect,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import { describe, expect, it } from "vitest";
import { postgresDialect } from "../postgres/postgres-dialect.ts";
import type { Database } from "../schema.ts";
import { sqliteDialect } from "../sqlite/sqlite-dialect.ts";
import type { StorageDialect } from "./storage-dialect.ts";

/**
 * A Kysely of the given SQL flavour that runs nothing (no database) and records the SQL it is asked
 * to run: what each dialect adds to a transaction, read without a server. The conformance suites
 * (test/stores/) check the same locks by their effect, on real databases.
 */
function recording(flavour: "postgres" | "sqlite") {
  const ran: CompiledQuery[] = [];
  const dialect: Dialect =
    flavour === "postgres"
      ? {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db): DatabaseIntrospector => new PostgresIntrospector(db),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        }
      : {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db): DatabaseIntrospector => new SqliteIntrospector(db),
          createQueryCompiler: () => new SqliteQueryCompiler(),
        };
  const db = new Kysely<Database>({
    dialect,
    log: (e) => {
      if (e.level === "query") ran.push(e.query);
    },
  });
  return { db, ran };
}

const claim = (d: StorageDialect, db: Kysely<Database>) =>
  d.claimRow(db.selectFrom("key_packages").select("id").where("device_id", "=", "d1").limit(1)).compile().sql;

describe("PostgreSQL dialect", () => {
  it("locks a batch's conversations in one statement, in id order, for update", async () => {
    const { db, ran } = recording("postgres");
    await postgresDialect.lockConversations(db, ["c2", "c1"]);
    expect(ran).toHaveLength(1);
    expect(ran[0]?.sql).toBe(
      'select "id" from "conversations" where "id" in ($1, $2) order by "id" for update',
    );
    expect(ran[0]?.parameters).toEqual(["c2", "c1"]);
  });

  it("serialises audit writers with a transaction-scoped advisory lock", async () => {
    const { db, ran } = recording("postgres");
    await postgresDialect.lockAuditChain(db);
    expect(ran.map((q) => q.sql)).toEqual(["select pg_advisory_xact_lock(7201)"]);
  });

  it("serialises whole-database rewrites (encryption at rest) with another advisory lock", async () => {
    const { db, ran } = recording("postgres");
    await postgresDialect.lockSchemaChange(db);
    expect(ran.map((q) => q.sql)).toEqual(["select pg_advisory_xact_lock(7202)"]);
  });

  it("leaves deleted content to VACUUM: nothing runs after an erase", async () => {
    const { db, ran } = recording("postgres");
    await postgresDialect.afterErase(db);
    expect(ran).toEqual([]);
  });

  it("claims a row with for update skip locked", () => {
    const { db } = recording("postgres");
    expect(claim(postgresDialect, db)).toMatch(/ for update skip locked$/);
  });
});

describe("SQLite dialect", () => {
  it("runs no lock statement: SQLite admits one writer at a time", async () => {
    const { db, ran } = recording("sqlite");
    await sqliteDialect.lockConversations(db, ["c1"]);
    await sqliteDialect.lockAuditChain(db);
    await sqliteDialect.lockSchemaChange(db);
    expect(ran).toEqual([]);
  });

  it("checkpoints and truncates the WAL after an erase, so old page versions leave the disk", async () => {
    const { db, ran } = recording("sqlite");
    await sqliteDialect.afterErase(db);
    expect(ran.map((q) => q.sql)).toEqual(["pragma wal_checkpoint(TRUNCATE)"]);
  });

  it("leaves a claim query as it is (SQLite has no row locks)", () => {
    const { db } = recording("sqlite");
    expect(claim(sqliteDialect, db)).toBe('select "id" from "key_packages" where "device_id" = ? limit ?');
  });
});
