import { createHash } from "node:crypto";
import { ManualClock } from "@hearth/client/testing";
import { DEFAULTS, openPostgresStorage } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  makePractice,
  POSTGRES_URL,
  type Practice,
  postgresReachable,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";

const PASSWORD = "correct horse battery staple";
const { maxFailures, lockMs, forgetMs } = DEFAULTS.lockout;

/** A way to read the server's database directly: every table's rows, and one query. */
interface Reader {
  tables(): Promise<string[]>;
  rows(query: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A server on each backend, with a reader of its database. */
const backends: {
  label: string;
  available: boolean;
  service: string;
  start(clock: ManualClock): Promise<{ t: TestServer; reader: Reader; cleanup(): Promise<void> }>;
}[] = [
  {
    label: "SQLite",
    available: true,
    service: "SQLite",
    async start(clock) {
      const t = await startTestServer({ clock });
      const db = new SQLite(t.dbPath, { readonly: true });
      const reader: Reader = {
        tables: async () =>
          (
            db
              .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
              .all() as { name: string }[]
          ).map((r) => r.name),
        rows: async (query) => db.prepare(query).all() as Record<string, unknown>[],
        close: async () => {
          db.close();
        },
      };
      return { t, reader, cleanup: async () => undefined };
    },
  },
  {
    label: "PostgreSQL",
    available: await postgresReachable(),
    service: `PostgreSQL at ${POSTGRES_URL}`,
    async start(clock) {
      const schema = uniqueSchemaName("hearth_login_enum");
      const storage = await openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
      const t = await startTestServer({ clock, storage });
      const pool = new pg.Pool({
        connectionString: POSTGRES_URL,
        max: 1,
        options: `-c search_path=${schema}`,
      });
      const reader: Reader = {
        tables: async () =>
          (
            await pool.query<{ table_name: string }>(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
              [schema],
            )
          ).rows.map((r) => r.table_name),
        rows: async (query) => (await pool.query(query)).rows,
        close: () => pool.end(),
      };
      return { t, reader, cleanup: () => dropSchema(schema) };
    },
  },
];

/**
 * Security check finding 3: the fifth wrong password answered `locked_out` for a real login and
 * `login_failed` for a made-up one, and only real logins wrote to the database (a counter update and
 * an audit row). Here both paths are compared without any timing: the same statuses, the same bodies
 * and the same store writes (which tables change, by how many rows), attempt by attempt, through the
 * lockout and past it, on each backend; time is a ManualClock, so lockout expiry is tested without
 * sleeping.
 */
for (const backend of backends) {
  describeWithService(
    `finding 3: login answers do not reveal who has an account (${backend.label})`,
    backend.available,
    backend.service,
    () => {
      let t: TestServer;
      let p: Practice;
      let reader: Reader;
      let cleanup: () => Promise<void>;
      const clock = new ManualClock();
      beforeAll(async () => {
        ({ t, reader, cleanup } = await backend.start(clock));
        p = await makePractice(t, 3);
      });
      afterAll(async () => {
        await reader.close();
        await t.stop();
        await cleanup();
      });

      /** Per table: its row count and a digest of its content (rows in a canonical order). */
      const snapshot = async () => {
        const out = new Map<string, { count: number; digest: string }>();
        for (const name of await reader.tables()) {
          const rows = (await reader.rows(`SELECT * FROM "${name}"`))
            .map((r) =>
              JSON.stringify(r, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)),
            )
            .sort();
          out.set(name, {
            count: rows.length,
            digest: createHash("sha256").update(rows.join("\n")).digest("hex"),
          });
        }
        return out;
      };
      /** Which tables a call changed, and by how many rows. */
      const writesOf = async (call: () => Promise<unknown>) => {
        const before = await snapshot();
        const answer = await call();
        const after = await snapshot();
        const changed: Record<string, number> = {};
        for (const [name, a] of after) {
          const b = before.get(name);
          if (!b || b.digest !== a.digest) changed[name] = a.count - (b?.count ?? 0);
        }
        return { answer, changed };
      };
      const attempt = (login: string, password = "not the password at all") =>
        t.call<{ code?: string }>("POST", "/v1/auth/login", { body: { login, password, deviceName: "x" } });
      const loginOf = async (token: string) =>
        (await t.call<{ login: string }>("GET", "/v1/me", { token })).body.login;
      const lastAudit = async (n: number) =>
        (await reader.rows(`SELECT actor_id, action, subject FROM audit ORDER BY seq DESC LIMIT ${n}`)) as {
          actor_id: string | null;
          action: string;
          subject: string | null;
        }[];

      it("the same answers and the same writes for a real and a made-up login, lockout included", async () => {
        const real = await loginOf(p.patients[0]?.token ?? "");
        const madeUp = "nobody-by-this-name";
        const codes: (string | undefined)[] = [];
        for (let i = 1; i <= maxFailures + 2; i++) {
          const a = await writesOf(() => attempt(real));
          const b = await writesOf(() => attempt(madeUp));
          expect(b.answer, `attempt ${i}`).toEqual(a.answer);
          expect(b.changed, `attempt ${i}`).toEqual(a.changed);
          expect(Object.keys(a.changed).length, `attempt ${i} writes something`).toBeGreaterThan(0);
          // The audit rows of the two attempts have one shape: no actor, a login key, never a user id.
          const [rowB, rowA] = await lastAudit(2);
          expect(rowB?.action).toBe(rowA?.action);
          for (const row of [rowA, rowB]) {
            expect(row?.actor_id).toBeNull();
            expect(row?.subject).toMatch(/^[0-9a-f]{64}$/);
          }
          codes.push((a.answer as { body: { code?: string } }).body.code);
        }
        // The lockout happened (it is still a lockout), for both, and refusals while locked are audited.
        expect(codes).toEqual([
          ...Array.from({ length: maxFailures - 1 }, () => "login_failed"),
          "locked_out",
          "locked_out",
          "locked_out",
        ]);
        expect(await attempt(real, PASSWORD)).toMatchObject({ status: 429, body: { code: "locked_out" } });
        expect(await attempt(madeUp)).toMatchObject({ status: 429, body: { code: "locked_out" } });
        expect((await lastAudit(2)).map((r) => r.action)).toEqual([
          "auth.login_refused",
          "auth.login_refused",
        ]);

        // One moment before the lock ends: still locked. At its end: both answer as before, and the right
        // password signs in.
        clock.advance(lockMs - 1);
        expect(await attempt(real, PASSWORD)).toMatchObject({ status: 429, body: { code: "locked_out" } });
        clock.advance(1);
        const a = await writesOf(() => attempt(real));
        const b = await writesOf(() => attempt(madeUp));
        expect(a.answer).toMatchObject({ status: 401, body: { code: "login_failed" } });
        expect(b).toEqual(a);
        expect((await attempt(real, PASSWORD)).status).toBe(200);
      });

      it("the attempts table names no login, and counts case and spacing variants of one login as one", async () => {
        const real = await loginOf(p.patients[1]?.token ?? "");
        const madeUp = "someone.else@example.org";
        for (let i = 0; i < maxFailures - 1; i++) {
          await attempt(i % 2 === 0 ? real : ` ${real.toUpperCase()} `);
          await attempt(i % 2 === 0 ? madeUp : madeUp.toUpperCase());
        }
        expect(await attempt(real)).toMatchObject({ status: 429, body: { code: "locked_out" } });
        expect(await attempt(madeUp)).toMatchObject({ status: 429, body: { code: "locked_out" } });
        const rows = JSON.stringify(await reader.rows("SELECT * FROM login_attempts"));
        expect(rows).not.toContain(real);
        expect(rows).not.toContain(madeUp);
        expect(rows).not.toContain("example");
      });

      it("a count is forgotten a day after its last failure, for both kinds of login", async () => {
        const real = await loginOf(p.patients[2]?.token ?? "");
        const madeUp = "never-signed-up";
        for (let i = 0; i < maxFailures - 1; i++) {
          expect((await attempt(real)).body.code).toBe("login_failed");
          expect((await attempt(madeUp)).body.code).toBe("login_failed");
        }
        clock.advance(forgetMs + 1);
        // The next failure starts a fresh count: no lockout until maxFailures more.
        for (let i = 0; i < maxFailures - 1; i++) {
          expect((await attempt(real)).body.code).toBe("login_failed");
          expect((await attempt(madeUp)).body.code).toBe("login_failed");
        }
        expect((await attempt(real)).body.code).toBe("locked_out");
        expect((await attempt(madeUp)).body.code).toBe("locked_out");
      });
    },
  );
}
