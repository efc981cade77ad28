import { createHash } from "node:crypto";
import { ManualClock } from "@hearth/client/testing";
import { DEFAULTS } from "@hearth/server";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PASSWORD = "correct horse battery staple";
const { maxFailures, lockMs, forgetMs } = DEFAULTS.lockout;

/**
 * Security check finding 3: the fifth wrong password answered `locked_out` for a real login and
 * `login_failed` for a made-up one, and only real logins wrote to the database (a counter update and
 * an audit row). Here both paths are compared without any timing: the same statuses, the same bodies
 * and the same store writes (which tables change, by how many rows), attempt by attempt, through the
 * lockout and past it; time is a ManualClock, so lockout expiry is tested without sleeping.
 */
describe("finding 3: login answers do not reveal who has an account", () => {
  let t: TestServer;
  let p: Practice;
  let db: SQLite.Database;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await startTestServer({ clock });
    p = await makePractice(t, 3);
    db = new SQLite(t.dbPath, { readonly: true });
  });
  afterAll(async () => {
    db.close();
    await t.stop();
  });

  /** Per table: its row count and a digest of its content. */
  const snapshot = () => {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    return new Map(
      tables.map(({ name }) => {
        const rows = db.prepare(`SELECT * FROM "${name}"`).all();
        const digest = createHash("sha256")
          .update(JSON.stringify(rows, (_, v) => (v instanceof Buffer ? v.toString("hex") : v)))
          .digest("hex");
        return [name, { count: rows.length, digest }] as const;
      }),
    );
  };
  /** Which tables a call changed, and by how many rows. */
  const writesOf = async (call: () => Promise<unknown>) => {
    const before = snapshot();
    const answer = await call();
    const after = snapshot();
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
  const lastAudit = (n: number) =>
    db.prepare("SELECT actor_id, action, subject FROM audit ORDER BY seq DESC LIMIT ?").all(n) as {
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
      const [rowB, rowA] = lastAudit(2);
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
    expect(lastAudit(2).map((r) => r.action)).toEqual(["auth.login_refused", "auth.login_refused"]);

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
    const rows = JSON.stringify(db.prepare("SELECT * FROM login_attempts").all());
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
});
