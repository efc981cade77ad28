import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EMAIL_DELAY_MINUTES, type SessionResponse } from "@hearth/protocol";
import { AtRestKeyError, openPostgresStorage, openSqliteStorage, type Storage } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  makeTempDir,
  POSTGRES_URL,
  postgresReachable,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { describe, expect, it } from "vitest";
import { markerStrings as forms } from "../support/attachments.ts";

const PASSWORD = "correct horse battery staple";

/** The person-identifying values one run writes, each unique to the run so a hit is ours. */
function canaries() {
  const run = `${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
  return {
    practiceName: `CANARYPRACTICE${run}`,
    adminLogin: `canaryadmin${run}`,
    adminName: `CANARYADMINNAME${run}`,
    therapistLogin: `canarylogin${run}`,
    therapistName: `CANARYNAME${run}`,
    deviceName: `CANARYDEVICE${run}`,
    email: `canarymail${run}@example.org`,
    pushEndpoint: `https://push.example.org/CANARYENDPOINT${run}`,
  };
}
type Canaries = ReturnType<typeof canaries>;

/** The canaries found anywhere in `haystacks` (latin1 keeps every byte one character). */
function found(c: Canaries, haystacks: Buffer[]): string[] {
  const texts = haystacks.map((b) => b.toString("latin1"));
  return Object.entries(c)
    .filter(([, marker]) => forms(marker).some((f) => texts.some((t) => t.includes(f))))
    .map(([name]) => name);
}

/** The SQLite database file and its WAL, as bytes on disk right now. */
function sqliteFiles(dbPath: string): Buffer[] {
  return [dbPath, `${dbPath}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
}

/**
 * Fills a fresh server through its real API: setup (practice, admin, device), a therapist by invite,
 * their notification email, a push subscription (through the store: a real push service is not the
 * point here); then signs in again by login, which must still find the account.
 */
async function populate(t: TestServer, c: Canaries): Promise<SessionResponse> {
  const setupToken = await t.server.prepareSetup();
  const admin = await t.call<SessionResponse>("POST", "/v1/setup", {
    body: {
      setupToken,
      practiceName: c.practiceName,
      login: c.adminLogin,
      displayName: c.adminName,
      password: PASSWORD,
      deviceName: c.deviceName,
    },
  });
  expect(admin.status).toBe(200);
  const inv = await t.call<{ token: string }>("POST", "/v1/invites", {
    token: admin.body.token,
    body: { role: "therapist" },
  });
  expect(inv.status).toBe(200);
  const accepted = await t.call<SessionResponse>("POST", "/v1/invites/accept", {
    body: {
      token: inv.body.token,
      login: c.therapistLogin,
      displayName: c.therapistName,
      password: PASSWORD,
      deviceName: c.deviceName,
    },
  });
  expect(accepted.status).toBe(200);
  const th = accepted.body;
  const put = await t.call("PUT", "/v1/me/notifications", {
    token: th.token,
    body: {
      email: c.email,
      emailDelayMinutes: EMAIL_DELAY_MINUTES.min,
      emailDigest: false,
      quietHours: null,
    },
  });
  expect(put.status).toBe(200);
  await t.server.storage.push.putSubscription({
    deviceId: th.deviceId,
    userId: th.userId,
    endpoint: c.pushEndpoint,
    p256dh: Buffer.alloc(65, 4).toString("base64url"),
    auth: Buffer.alloc(16, 7).toString("base64url"),
    aliasKey: "alias",
    showSender: false,
    createdAt: new Date().toISOString(),
  });
  await expectSignIn(t, c);
  return th;
}

/** Signing in by login works, and the account reads back with its name. */
async function expectSignIn(t: TestServer, c: Canaries) {
  const login = await t.call<SessionResponse>("POST", "/v1/auth/login", {
    body: { login: c.therapistLogin, password: PASSWORD, deviceName: "again" },
  });
  expect(login.status).toBe(200);
  const me = await t.call<{ displayName: string }>("GET", "/v1/me", { token: login.body.token });
  expect(me.body.displayName).toBe(c.therapistName);
}

describe("canary: encryption at rest (SQLite file and WAL)", () => {
  it("positive control: with encryption at rest off, the names, logins and email are in the file or WAL", async () => {
    const c = canaries();
    const t = await startTestServer();
    try {
      await populate(t, c);
      expect(found(c, sqliteFiles(t.dbPath)).sort()).toEqual(Object.keys(c).sort());
    } finally {
      await t.stop();
    }
  });

  it("with encryption at rest on, none of them is in the file or WAL, and sign-in still works", async () => {
    const c = canaries();
    const t = await startTestServer({}, { atRestKey: new Uint8Array(randomBytes(32)) });
    try {
      const th = await populate(t, c);
      // The values still read back whole through the API and the stores.
      const settings = await t.call<{ email: string }>("GET", "/v1/me/notifications", { token: th.token });
      expect(settings.body.email).toBe(c.email);
      expect((await t.server.storage.push.getSubscription(th.deviceId))?.endpoint).toBe(c.pushEndpoint);
      expect(found(c, sqliteFiles(t.dbPath))).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it("an existing plaintext database is encrypted in place on the first start with a key", async () => {
    const c = canaries();
    const dir = await makeTempDir();
    const path = join(dir.path, "hearth.db");
    const key = new Uint8Array(randomBytes(32));
    try {
      const plain = await startTestServer({ storage: await openSqliteStorage({ path }) });
      await populate(plain, c);
      await plain.stop();
      expect(found(c, sqliteFiles(path)).length).toBeGreaterThan(0);

      const sealed = await openSqliteStorage({ path, atRestKey: key });
      expect(found(c, sqliteFiles(path))).toEqual([]);
      const t = await startTestServer({ storage: sealed });
      try {
        await expectSignIn(t, c);
      } finally {
        await t.stop();
      }
      // Without its key, or with another, the database does not open (nothing is changed).
      await expect(openSqliteStorage({ path })).rejects.toBeInstanceOf(AtRestKeyError);
      await expect(
        openSqliteStorage({ path, atRestKey: new Uint8Array(randomBytes(32)) }),
      ).rejects.toBeInstanceOf(AtRestKeyError);
      const again = await openSqliteStorage({ path, atRestKey: key });
      expect((await again.auth.getUserByLogin(c.therapistLogin))?.displayName).toBe(c.therapistName);
      await again.close();
      expect(found(c, sqliteFiles(path))).toEqual([]);
    } finally {
      await dir.remove();
    }
  });
});

/** `pg_dump` of one schema, data and all, as the operator's backup would hold it. */
function pgDump(schema: string): Buffer {
  const r = spawnSync("pg_dump", ["--dbname", POSTGRES_URL, "--schema", schema], {
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr.toString("utf8")}`);
  return r.stdout;
}

describeWithService(
  "canary: encryption at rest (PostgreSQL, pg_dump)",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    async function run(atRestKey: Uint8Array | undefined): Promise<string[]> {
      const c = canaries();
      const schema = uniqueSchemaName();
      let storage: Storage | undefined;
      try {
        storage = await openPostgresStorage({
          connectionString: POSTGRES_URL,
          schema,
          poolSize: 3,
          ...(atRestKey ? { atRestKey } : {}),
        });
        const t = await startTestServer({ storage });
        try {
          await populate(t, c);
        } finally {
          await t.stop();
        }
        return found(c, [pgDump(schema)]);
      } finally {
        await dropSchema(schema);
      }
    }

    it("positive control: with it off, a dump holds the names, logins and email", async () => {
      expect((await run(undefined)).length).toBe(Object.keys(canaries()).length);
    });

    it("with it on, a dump holds none of them", async () => {
      expect(await run(new Uint8Array(randomBytes(32)))).toEqual([]);
    });
  },
);
