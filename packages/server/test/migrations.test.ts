import { join } from "node:path";
import {
  describeWithService,
  dropSchema,
  makeTempDir,
  openEmptyPostgresSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrate, migrations, type SqlDialect } from "../src/storage/migrations.ts";

/**
 * Schema-agnostic on purpose: each case sees the database as it was at its own migration, not as
 * `schema.ts` describes the latest one.
 */
type AnyDb = Record<string, Record<string, unknown>>;

/** One test per migration (STYLE.md): build at N-1, write rows there, migrate to N, check. */
interface MigrationCase {
  /** The migration under test, as named in `migrations()`. */
  migration: string;
  /** Writes rows into the database as it is at the previous migration (none before the first). */
  before?(db: Kysely<AnyDb>, dialect: SqlDialect): Promise<void>;
  /** Checks the database right after this migration ran. */
  after(db: Kysely<AnyDb>, dialect: SqlDialect): Promise<void>;
}

/** How a column should come out: `pk` columns' nullability differs by dialect and is not checked. */
type ColumnSpec = "pk" | "not null" | "null";

const CORE_TABLES: Record<string, Record<string, ColumnSpec>> = {
  meta: { key: "pk", value: "not null" },
  practices: { id: "pk", name: "not null", created_at: "not null" },
  users: {
    id: "pk",
    practice_id: "not null",
    role: "not null",
    login: "not null",
    display_name: "not null",
    email: "null",
    password_hash: "not null",
    show_presence: "not null",
    failed_logins: "not null",
    locked_until: "null",
    created_at: "not null",
  },
  devices: {
    id: "pk",
    user_id: "not null",
    name: "not null",
    token_hash: "not null",
    created_at: "not null",
    last_seen_at: "not null",
    revoked_at: "null",
  },
  invites: {
    id: "pk",
    practice_id: "not null",
    inviter_id: "not null",
    role: "not null",
    token_hash: "not null",
    expires_at: "not null",
    used_at: "null",
    used_by: "null",
  },
  conversations: {
    id: "pk",
    practice_id: "not null",
    kind: "not null",
    created_by: "not null",
    created_at: "not null",
    last_seq: "not null",
    last_activity_at: "not null",
  },
  members: {
    conversation_id: "pk",
    user_id: "pk",
    joined_at: "not null",
    delivered_seq: "not null",
    read_seq: "not null",
  },
  entries: {
    conversation_id: "pk",
    seq: "pk",
    message_id: "not null",
    sender_id: "not null",
    sender_device_id: "not null",
    sent_at: "not null",
    kind: "not null",
    body: "null",
    target: "null",
    deleted: "not null",
  },
  audit: {
    seq: "pk",
    at: "not null",
    actor_id: "null",
    action: "not null",
    subject: "null",
    prev_hash: "not null",
    hash: "not null",
  },
};

const T = "2024-01-01T00:00:00.000Z";

/** Makes driver output comparable: bytea/blob as byte arrays, PostgreSQL's BIGINT strings as numbers. */
const plain = (row: Record<string, unknown>, numeric: string[] = []) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v instanceof Uint8Array ? [...v] : numeric.includes(k) && v !== null ? Number(v) : v,
    ]),
  );

/** The tables of the connection's own schema (PostgreSQL introspection spans every schema). */
async function ownTables(db: Kysely<AnyDb>, dialect: SqlDialect) {
  const tables = await db.introspection.getTables();
  if (dialect === "sqlite") return tables;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return tables.filter((t) => t.schema === rows[0]?.schema);
}

const cases: MigrationCase[] = [
  {
    migration: "0001_core",
    async after(db, dialect) {
      const tables = await ownTables(db, dialect);
      const actual = Object.fromEntries(
        tables.map((t) => [t.name, Object.fromEntries(t.columns.map((c) => [c.name, c.isNullable]))]),
      );
      expect(Object.keys(actual).sort()).toEqual(Object.keys(CORE_TABLES).sort());
      for (const [table, columns] of Object.entries(CORE_TABLES)) {
        expect(Object.keys(actual[table] ?? {}).sort(), table).toEqual(Object.keys(columns).sort());
        for (const [column, spec] of Object.entries(columns)) {
          if (spec !== "pk") expect(actual[table]?.[column], `${table}.${column}`).toBe(spec === "null");
        }
      }

      // One row in every table, in foreign-key order, read back exactly.
      const rows: Record<string, Record<string, unknown>> = {
        meta: { key: "k", value: "v" },
        practices: { id: "p1", name: "Practice", created_at: T },
        users: {
          id: "u1",
          practice_id: "p1",
          role: "therapist",
          login: "u1",
          display_name: "U One",
          email: null,
          password_hash: "$argon2id$x",
          show_presence: 0,
          failed_logins: 2,
          locked_until: T,
          created_at: T,
        },
        devices: {
          id: "d1",
          user_id: "u1",
          name: "Phone",
          token_hash: "th1",
          created_at: T,
          last_seen_at: T,
          revoked_at: null,
        },
        invites: {
          id: "i1",
          practice_id: "p1",
          inviter_id: "u1",
          role: "patient",
          token_hash: "ih1",
          expires_at: T,
          used_at: null,
          used_by: null,
        },
        conversations: {
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_seq: 1,
          last_activity_at: T,
        },
        members: { conversation_id: "c1", user_id: "u1", joined_at: T, delivered_seq: 1, read_seq: 1 },
        entries: {
          conversation_id: "c1",
          seq: 1,
          message_id: "m1",
          sender_id: "u1",
          sender_device_id: "d1",
          sent_at: T,
          kind: "message",
          body: Uint8Array.of(0, 255, 1, 0),
          target: null,
          deleted: 0,
        },
      };
      for (const [table, row] of Object.entries(rows)) {
        await db.insertInto(table).values(row).execute();
        const back = await db.selectFrom(table).selectAll().execute();
        expect(
          back.map((r) => plain(r)),
          table,
        ).toEqual([plain(row)]);
      }

      // audit.seq numbers itself.
      const audit = { at: T, actor_id: null, action: "a", subject: null, prev_hash: "0", hash: "h" };
      await db.insertInto("audit").values(audit).execute();
      await db.insertInto("audit").values(audit).execute();
      const auditRows = await db.selectFrom("audit").selectAll().orderBy("seq").execute();
      expect(auditRows.map((r) => plain(r, ["seq"]))).toEqual([
        { seq: 1, ...audit },
        { seq: 2, ...audit },
      ]);

      // Defaults.
      await db
        .insertInto("users")
        .values({
          id: "u2",
          practice_id: "p1",
          role: "patient",
          login: "u2",
          display_name: "U Two",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      expect(
        await db
          .selectFrom("users")
          .select(["show_presence", "failed_logins"])
          .where("id", "=", "u2")
          .execute(),
      ).toEqual([{ show_presence: 1, failed_logins: 0 }]);

      // Constraints the store relies on.
      const refused = (table: string, row: Record<string, unknown>) =>
        expect(
          db.insertInto(table).values(row).execute(),
          `${table} ${JSON.stringify(row)}`,
        ).rejects.toThrow();
      await refused("users", { ...rows.users, id: "u3" }); // login unique
      await refused("users", { ...rows.users, id: "u3", login: "u3", practice_id: "nowhere" }); // foreign key
      await refused("devices", { ...rows.devices, id: "d2" }); // token_hash unique
      await refused("invites", { ...rows.invites, id: "i2" }); // token_hash unique
      await refused("members", { ...rows.members }); // (conversation, user) primary key
      await refused("entries", { ...rows.entries, message_id: "m2" }); // (conversation, seq) primary key
      await refused("entries", { ...rows.entries, seq: 2 }); // (conversation, message_id) unique
      await refused("entries", { ...rows.entries, conversation_id: "nowhere", seq: 1 }); // foreign key
    },
  },
  {
    migration: "0002_mls",
    async before(db) {
      // A practice with a conversation and one entry, as 0001 stored them.
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "therapist",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("devices")
        .values({ id: "d1", user_id: "u1", name: "Phone", token_hash: "t", created_at: T, last_seen_at: T })
        .execute();
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_seq: 1,
          last_activity_at: T,
        })
        .execute();
      await db
        .insertInto("entries")
        .values({
          conversation_id: "c1",
          seq: 1,
          message_id: "m1",
          sender_id: "u1",
          sender_device_id: "d1",
          sent_at: T,
          kind: "message",
          body: Uint8Array.of(1, 2),
        })
        .execute();
    },
    async after(db) {
      // Old rows get the new columns' defaults.
      expect(await db.selectFrom("users").select("identity_key").execute()).toEqual([{ identity_key: null }]);
      expect(
        (await db.selectFrom("conversations").select(["epoch", "group_info"]).execute()).map((r) =>
          plain(r, ["epoch"]),
        ),
      ).toEqual([{ epoch: 0, group_info: null }]);
      expect(await db.selectFrom("entries").select("epoch").execute()).toEqual([{ epoch: null }]);
      // New tables take rows and number them.
      await db
        .insertInto("key_packages")
        .values({ device_id: "d1", data: Uint8Array.of(0, 255), created_at: T })
        .execute();
      await db
        .insertInto("welcomes")
        .values({ device_id: "d1", conversation_id: "c1", seq: 2, data: Uint8Array.of(9), created_at: T })
        .execute();
      const kp = await db.selectFrom("key_packages").selectAll().execute();
      expect(kp.map((r) => plain(r, ["id", "last_resort"]))).toEqual([
        plain({ id: 1, device_id: "d1", data: Uint8Array.of(0, 255), last_resort: 0, created_at: T }),
      ]);
      const w = await db.selectFrom("welcomes").selectAll().execute();
      expect(w.map((r) => plain(r, ["id", "seq"]))).toEqual([
        plain({
          id: 1,
          device_id: "d1",
          conversation_id: "c1",
          seq: 2,
          data: Uint8Array.of(9),
          created_at: T,
        }),
      ]);
      await expect(
        db
          .insertInto("welcomes")
          .values({
            device_id: "nowhere",
            conversation_id: "c1",
            seq: 1,
            data: Uint8Array.of(1),
            created_at: T,
          })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0003_e2ee",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
          identity_key: "aWQ=",
        })
        .execute();
    },
    async after(db) {
      // Old users keep their identity key and have no archive key yet.
      expect(await db.selectFrom("users").select(["identity_key", "archive_key"]).execute()).toEqual([
        { identity_key: "aWQ=", archive_key: null },
      ]);
      await db
        .insertInto("transfers")
        .values({ id: "t1", user_id: "u1", body: null, created_at: T, expires_at: T })
        .execute();
      expect(await db.selectFrom("transfers").select(["id", "body"]).execute()).toEqual([
        { id: "t1", body: null },
      ]);
      await expect(
        db
          .insertInto("transfers")
          .values({ id: "t2", user_id: "nobody", created_at: T, expires_at: T })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0004_blobs",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("devices")
        .values({ id: "d1", user_id: "u1", name: "Phone", token_hash: "t", created_at: T, last_seen_at: T })
        .execute();
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_seq: 0,
          last_activity_at: T,
        })
        .execute();
    },
    async after(db) {
      // Existing rows are untouched; the new table takes a blob bigger than 2^31 bytes.
      expect(await db.selectFrom("conversations").select("id").execute()).toEqual([{ id: "c1" }]);
      const blob = {
        id: "b1",
        conversation_id: "c1",
        uploader_id: "u1",
        uploader_device_id: "d1",
        size: 2 ** 33,
        created_at: T,
      };
      await db.insertInto("blobs").values(blob).execute();
      expect((await db.selectFrom("blobs").selectAll().execute()).map((r) => plain(r, ["size"]))).toEqual([
        blob,
      ]);
      // Foreign keys, and the id as primary key.
      for (const bad of [
        { id: "b2", conversation_id: "nowhere" },
        { id: "b2", uploader_id: "nobody" },
        { id: "b2", uploader_device_id: "none" },
        { id: "b1" },
      ]) {
        await expect(
          db
            .insertInto("blobs")
            .values({ ...blob, ...bad })
            .execute(),
          JSON.stringify(bad),
        ).rejects.toThrow();
      }
    },
  },
  {
    migration: "0005_shared_read",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_seq: 9,
          last_activity_at: T,
        })
        .execute();
      await db
        .insertInto("members")
        .values({ conversation_id: "c1", user_id: "u1", joined_at: T, delivered_seq: 9, read_seq: 7 })
        .execute();
    },
    async after(db) {
      // An earlier read may have been private: the shared marker starts at 0, the own one is kept.
      const rows = await db
        .selectFrom("members")
        .select(["delivered_seq", "read_seq", "shared_read_seq"])
        .execute();
      expect(rows.map((r) => plain(r, ["delivered_seq", "read_seq", "shared_read_seq"]))).toEqual([
        { delivered_seq: 9, read_seq: 7, shared_read_seq: 0 },
      ]);
    },
  },
  {
    migration: "0006_login_attempts",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          failed_logins: 3,
          created_at: T,
        })
        .execute();
    },
    async after(db) {
      // Users are untouched (their old counters are no longer read); counting starts from zero.
      expect(
        (await db.selectFrom("users").select(["id", "failed_logins"]).execute()).map((r) =>
          plain(r, ["failed_logins"]),
        ),
      ).toEqual([{ id: "u1", failed_logins: 3 }]);
      expect(await db.selectFrom("login_attempts").selectAll().execute()).toEqual([]);
      const row = { key: "k1", failures: 2, locked_until: null, updated_at: T };
      await db.insertInto("login_attempts").values(row).execute();
      expect(
        (await db.selectFrom("login_attempts").selectAll().execute()).map((r) => plain(r, ["failures"])),
      ).toEqual([row]);
      // The key is the primary key; updated_at is required.
      await expect(db.insertInto("login_attempts").values(row).execute()).rejects.toThrow();
      await expect(
        db.insertInto("login_attempts").values({ key: "k2", failures: 0 }).execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0007_message_blobs",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("devices")
        .values({ id: "d1", user_id: "u1", name: "Phone", token_hash: "t", created_at: T, last_seen_at: T })
        .execute();
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_seq: 0,
          last_activity_at: T,
        })
        .execute();
      await db
        .insertInto("blobs")
        .values({
          id: "b1",
          conversation_id: "c1",
          uploader_id: "u1",
          uploader_device_id: "d1",
          size: 1,
          created_at: T,
        })
        .execute();
    },
    async after(db) {
      // Existing blobs are untouched and declared by no message (so they are kept).
      expect(await db.selectFrom("blobs").select("id").execute()).toEqual([{ id: "b1" }]);
      expect(await db.selectFrom("message_blobs").selectAll().execute()).toEqual([]);
      const ref = { conversation_id: "c1", message_id: "m1", blob_id: "b1" };
      await db.insertInto("message_blobs").values(ref).execute();
      expect(await db.selectFrom("message_blobs").selectAll().execute()).toEqual([ref]);
      // One row per (message, blob); the blob must exist.
      await expect(db.insertInto("message_blobs").values(ref).execute()).rejects.toThrow();
      await expect(
        db
          .insertInto("message_blobs")
          .values({ ...ref, blob_id: "nope" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0008_blobs_uploader",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      for (const u of ["u1", "u2"]) {
        await db
          .insertInto("users")
          .values({
            id: u,
            practice_id: "p1",
            role: "patient",
            login: u,
            display_name: "U",
            password_hash: "x",
            created_at: T,
          })
          .execute();
        await db
          .insertInto("devices")
          .values({
            id: `d-${u}`,
            user_id: u,
            name: "Phone",
            token_hash: `t-${u}`,
            created_at: T,
            last_seen_at: T,
          })
          .execute();
      }
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_seq: 0,
          last_activity_at: T,
        })
        .execute();
      const blob = (id: string, uploader: string, size: number) => ({
        id,
        conversation_id: "c1",
        uploader_id: uploader,
        uploader_device_id: `d-${uploader}`,
        size,
        created_at: T,
      });
      await db
        .insertInto("blobs")
        .values([blob("b1", "u1", 10), blob("b2", "u1", 32), blob("b3", "u2", 5)])
        .execute();
    },
    async after(db, dialect) {
      // Only an index: every blob is kept, and a user's total is what the quota reads.
      expect((await db.selectFrom("blobs").select("id").orderBy("id").execute()).map((r) => r.id)).toEqual([
        "b1",
        "b2",
        "b3",
      ]);
      const total = await db
        .selectFrom("blobs")
        .select((eb) => eb.fn.sum<number | string>("size").as("bytes"))
        .where("uploader_id", "=", "u1")
        .executeTakeFirst();
      expect(Number(total?.bytes)).toBe(42);
      const indexes =
        dialect === "sqlite"
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(db)
          : await sql<{
              name: string;
            }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(db);
      expect(indexes.rows.map((r) => r.name)).toContain("blobs_uploader");
    },
  },
  {
    migration: "0009_admin",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "therapist",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("invites")
        .values({
          id: "i1",
          practice_id: "p1",
          inviter_id: "u1",
          role: "patient",
          token_hash: "h1",
          expires_at: T,
        })
        .execute();
    },
    async after(db) {
      // Existing accounts are active and existing invites not withdrawn.
      expect(await db.selectFrom("users").select(["id", "deactivated_at"]).execute()).toEqual([
        { id: "u1", deactivated_at: null },
      ]);
      expect(await db.selectFrom("invites").select(["id", "revoked_at"]).execute()).toEqual([
        { id: "i1", revoked_at: null },
      ]);
      const link = {
        id: "l1",
        practice_id: "p1",
        user_id: "u1",
        issuer_id: "u1",
        token_hash: "lh1",
        created_at: T,
        expires_at: T,
      };
      await db.insertInto("sign_in_links").values(link).execute();
      expect(await db.selectFrom("sign_in_links").select(["id", "used_at", "revoked_at"]).execute()).toEqual([
        { id: "l1", used_at: null, revoked_at: null },
      ]);
      // Token hashes are unique; a link names a real account.
      await expect(
        db
          .insertInto("sign_in_links")
          .values({ ...link, id: "l2" })
          .execute(),
      ).rejects.toThrow();
      await expect(
        db
          .insertInto("sign_in_links")
          .values({ ...link, id: "l3", token_hash: "lh3", user_id: "nobody" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0010_schedule",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
    },
    async after(db) {
      // New tables only: the users are untouched, and a job's dedupe key admits one pending row.
      expect((await db.selectFrom("users").select("id").execute()).map((r) => r.id)).toEqual(["u1"]);
      const job = (id: string, dedupe: string | null) => ({
        id,
        kind: "k",
        payload: "{}",
        run_at: T,
        dedupe_key: dedupe,
        created_at: T,
        updated_at: T,
      });
      await db
        .insertInto("jobs")
        .values([job("j1", "a"), job("j2", null), job("j3", null)])
        .execute();
      await expect(db.insertInto("jobs").values(job("j4", "a")).execute()).rejects.toThrow();
      const row = await db.selectFrom("jobs").selectAll().where("id", "=", "j1").executeTakeFirstOrThrow();
      expect(plain(row, ["attempts"])).toMatchObject({ status: "pending", attempts: 0, lease_until: null });
      await db.insertInto("notify_settings").values({ user_id: "u1", updated_at: T }).execute();
      const settings = await db.selectFrom("notify_settings").selectAll().executeTakeFirstOrThrow();
      expect(plain(settings, ["email_delay_minutes", "email_digest"])).toMatchObject({
        email: null,
        email_delay_minutes: 30,
        email_digest: 0,
      });
      // Settings belong to a user.
      await expect(
        db.insertInto("notify_settings").values({ user_id: "nobody", updated_at: T }).execute(),
      ).rejects.toThrow();
      for (const t of ["notify_outbox", "notify_sent", "unsubscribe_tokens"]) {
        expect(await db.selectFrom(t).selectAll().execute()).toEqual([]);
      }
    },
  },
  {
    migration: "0011_push",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("devices")
        .values({ id: "d1", user_id: "u1", name: "Phone", token_hash: "t1", created_at: T, last_seen_at: T })
        .execute();
    },
    async after(db) {
      // A new, empty table; one subscription per device, tied to an existing device.
      const row = {
        device_id: "d1",
        user_id: "u1",
        endpoint: "https://push.example/x",
        p256dh: "k",
        auth: "a",
        alias_key: "s",
        created_at: T,
      };
      await db.insertInto("push_subscriptions").values(row).execute();
      const r = await db.selectFrom("push_subscriptions").selectAll().executeTakeFirstOrThrow();
      expect(Number(r.show_sender)).toBe(0);
      await expect(db.insertInto("push_subscriptions").values(row).execute()).rejects.toThrow();
      await expect(
        db
          .insertInto("push_subscriptions")
          .values({ ...row, device_id: "nope" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0012_office_hours",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      for (const [id, role] of [
        ["u1", "therapist"],
        ["u2", "patient"],
      ]) {
        await db
          .insertInto("users")
          .values({
            id,
            practice_id: "p1",
            role,
            login: id,
            display_name: id,
            password_hash: "x",
            created_at: T,
          })
          .execute();
      }
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_activity_at: T,
        })
        .execute();
    },
    async after(db) {
      // Two new, empty tables: hours per user, automatic replies unique per closed period.
      await db.insertInto("office_hours").values({ user_id: "u1", settings: "{}", updated_at: T }).execute();
      await expect(
        db.insertInto("office_hours").values({ user_id: "nope", settings: "{}", updated_at: T }).execute(),
      ).rejects.toThrow();
      const row = {
        id: "arp_1",
        conversation_id: "c1",
        therapist_id: "u1",
        period_key: "2026-03-30T07:00:00.000Z",
        after_seq: 1,
        typical_reply_hours: 24,
        created_at: T,
      };
      await db.insertInto("auto_replies").values(row).execute();
      const r = await db.selectFrom("auto_replies").selectAll().executeTakeFirstOrThrow();
      expect(r.next_open_at).toBeNull();
      expect(r.away_text).toBeNull();
      await expect(
        db
          .insertInto("auto_replies")
          .values({ ...row, id: "arp_2" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0013_appointments",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "therapist",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "u1",
          created_at: T,
          last_activity_at: T,
        })
        .execute();
    },
    async after(db) {
      // New, empty tables; an appointment belongs to an existing conversation; a reminder is recorded once.
      const apt = {
        id: "a1",
        conversation_id: "c1",
        organizer_id: "u1",
        local_start: "2026-06-10T15:00",
        time_zone: "Europe/Berlin",
        duration_minutes: 50,
        status: "scheduled",
        first_start_at: T,
        created_at: T,
        updated_at: T,
      };
      await db.insertInto("appointments").values(apt).execute();
      const r = await db.selectFrom("appointments").selectAll().executeTakeFirstOrThrow();
      expect({ revision: Number(r.revision), recurrence: r.recurrence, last: r.last_end_at }).toEqual({
        revision: 0,
        recurrence: null,
        last: null,
      });
      await expect(
        db
          .insertInto("appointments")
          .values({ ...apt, id: "a2", conversation_id: "nope" })
          .execute(),
      ).rejects.toThrow();
      const reminder = {
        appointment_id: "a1",
        user_id: "u1",
        occurrence_at: T,
        minutes_before: 60,
        sent_at: T,
      };
      await db.insertInto("appointment_reminders").values(reminder).execute();
      await expect(db.insertInto("appointment_reminders").values(reminder).execute()).rejects.toThrow();
      const settings = {
        user_id: "u1",
        reminder_minutes: "[60]",
        push: 1,
        email: 0,
        show_time: 0,
        feed_names: 0,
        feed_token_hash: "h",
        updated_at: T,
      };
      await db.insertInto("appointment_settings").values(settings).execute();
      await expect(db.insertInto("appointment_settings").values(settings).execute()).rejects.toThrow();
    },
  },
  {
    migration: "0014_checkins",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      for (const [id, role] of [
        ["t1", "therapist"],
        ["u1", "patient"],
      ]) {
        await db
          .insertInto("users")
          .values({
            id,
            practice_id: "p1",
            role,
            login: id,
            display_name: id,
            password_hash: "x",
            created_at: T,
          })
          .execute();
      }
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "t1",
          created_at: T,
          last_seq: 0,
          last_activity_at: T,
        })
        .execute();
    },
    async after(db) {
      // A new, empty table of plans: schedule only (no instrument), tied to a conversation and users.
      const row = {
        id: "pln1",
        conversation_id: "c1",
        patient_id: "u1",
        created_by: "t1",
        time_zone: "Europe/Berlin",
        local_time: "20:00",
        created_at: T,
      };
      await db.insertInto("checkin_plans").values(row).execute();
      const r = await db.selectFrom("checkin_plans").selectAll().executeTakeFirstOrThrow();
      expect(r.days).toBeNull();
      await expect(db.insertInto("checkin_plans").values(row).execute()).rejects.toThrow();
      await expect(
        db
          .insertInto("checkin_plans")
          .values({ ...row, id: "pln2", conversation_id: "nope" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0016_calls",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      await db
        .insertInto("users")
        .values({
          id: "u1",
          practice_id: "p1",
          role: "patient",
          login: "u1",
          display_name: "U",
          password_hash: "x",
          created_at: T,
        })
        .execute();
    },
    async after(db) {
      // A new, empty table: one row per user who changed a call preference, tied to an existing user.
      expect(await db.selectFrom("call_settings").selectAll().execute()).toEqual([]);
      const row = { user_id: "u1", relay_only: 0, updated_at: T };
      await db.insertInto("call_settings").values(row).execute();
      await expect(db.insertInto("call_settings").values(row).execute()).rejects.toThrow();
      await expect(
        db
          .insertInto("call_settings")
          .values({ ...row, user_id: "nobody" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0017_checkin_reminders",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      for (const [id, role] of [
        ["t1", "therapist"],
        ["u1", "patient"],
      ] as const) {
        await db
          .insertInto("users")
          .values({
            id,
            practice_id: "p1",
            role,
            login: id,
            display_name: id,
            password_hash: "x",
            created_at: T,
          })
          .execute();
      }
      await db
        .insertInto("conversations")
        .values({
          id: "c1",
          practice_id: "p1",
          kind: "direct",
          created_by: "t1",
          created_at: T,
          last_seq: 0,
          last_activity_at: T,
        })
        .execute();
      await db
        .insertInto("checkin_plans")
        .values({
          id: "pln1",
          conversation_id: "c1",
          patient_id: "u1",
          created_by: "t1",
          time_zone: "Europe/Berlin",
          local_time: "20:00",
          created_at: T,
        })
        .execute();
    },
    async after(db) {
      // A new, empty table: one row per reminder sent, keyed by plan and due time, tied to a plan.
      expect(await db.selectFrom("checkin_plans").select("id").execute()).toEqual([{ id: "pln1" }]);
      expect(await db.selectFrom("checkin_reminders").selectAll().execute()).toEqual([]);
      const row = { plan_id: "pln1", due_at: T, sent_at: T };
      await db.insertInto("checkin_reminders").values(row).execute();
      await expect(db.insertInto("checkin_reminders").values(row).execute()).rejects.toThrow();
      await expect(
        db
          .insertInto("checkin_reminders")
          .values({ ...row, plan_id: "nope" })
          .execute(),
      ).rejects.toThrow();
    },
  },
  {
    migration: "0020_at_rest_login_key",
    async before(db) {
      await db.insertInto("practices").values({ id: "p1", name: "P", created_at: T }).execute();
      for (const id of ["u1", "u2"]) {
        await db
          .insertInto("users")
          .values({
            id,
            practice_id: "p1",
            role: "patient",
            login: `login-${id}`,
            display_name: "U",
            password_hash: "x",
            created_at: T,
          })
          .execute();
      }
    },
    async after(db) {
      // Every account keeps being found by its login: the key starts as the login itself, unique.
      const rows = await db.selectFrom("users").select(["id", "login", "login_key"]).orderBy("id").execute();
      expect(rows).toEqual([
        { id: "u1", login: "login-u1", login_key: "login-u1" },
        { id: "u2", login: "login-u2", login_key: "login-u2" },
      ]);
      await expect(
        db.updateTable("users").set({ login_key: "login-u1" }).where("id", "=", "u2").execute(),
      ).rejects.toThrow();
    },
  },
];

/** A fresh, empty database of each dialect. */
const dialects: {
  dialect: SqlDialect;
  label: string;
  available: boolean;
  open(): Promise<{ db: Kysely<AnyDb>; close(): Promise<void> }>;
}[] = [
  {
    dialect: "sqlite",
    label: "a SQLite file",
    available: true,
    async open() {
      const dir = await makeTempDir();
      const file = new SQLite(join(dir.path, "hearth.db"));
      // As openSqliteStorage sets it: without it SQLite ignores REFERENCES.
      file.pragma("foreign_keys = ON");
      const db = new Kysely<AnyDb>({ dialect: new SqliteDialect({ database: file }) });
      return {
        db,
        close: async () => {
          await db.destroy();
          await dir.remove();
        },
      };
    },
  },
  {
    dialect: "postgres",
    label: "a PostgreSQL schema",
    available: await postgresReachable(),
    async open() {
      const schema = uniqueSchemaName("hearth_migration");
      const db = await openEmptyPostgresSchema<AnyDb>(schema);
      return {
        db,
        close: async () => {
          await db.destroy();
          await dropSchema(schema);
        },
      };
    },
  },
];

describe("migrations", () => {
  it("every migration has a test case, in order", () => {
    for (const { dialect } of dialects) {
      expect(cases.map((c) => c.migration)).toEqual(Object.keys(migrations(dialect)));
    }
  });
});

for (const { dialect, label, available, open } of dialects) {
  const service = dialect === "postgres" ? `PostgreSQL at ${POSTGRES_URL}` : "SQLite";
  describeWithService(`migrations on ${label}`, available, service, () => {
    const names = Object.keys(migrations(dialect));
    for (const c of cases) {
      const previous = names[names.indexOf(c.migration) - 1];
      it(`${c.migration}: ${previous ? `from ${previous}` : "from an empty database"}`, async () => {
        const { db, close } = await open();
        try {
          if (previous) await migrate(db as Kysely<unknown>, dialect, previous);
          await c.before?.(db, dialect);
          await migrate(db as Kysely<unknown>, dialect, c.migration);
          await c.after(db, dialect);
        } finally {
          await close();
        }
      });
    }
  });
}
