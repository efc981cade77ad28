import { ERROR_CODES, newId, type SessionResponse } from "@hearth/protocol";
import {
  login,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const LIMIT = 8 * 1024;

// `/metrics` and `/readyz` (arbitrary Authorization headers and queries): test/ops/metrics.test.ts.
describe("bad input is refused with a code, changes nothing, and the server keeps serving", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;

  beforeAll(async () => {
    t = await startTestServer({ maxFrameBytes: LIMIT, sessionIdleMs: 60 * 60_000 });
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterAll(async () => {
    await t.stop();
  });

  const stored = async () =>
    (
      await t.call<{ entries: unknown[] }>("GET", `/v1/conversations/${cid}/messages?limit=500`, {
        token: p.therapist.token,
      })
    ).body.entries.length;

  it("arbitrary frames get a known error code; the socket stays usable; nothing is stored (property)", async () => {
    const s = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
    const before = await stored();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.json({ maxDepth: 3 }),
          fc
            .record({
              type: fc.constantFrom("send", "delete", "receipt", "typing", "hello"),
              id: fc.anything(),
            })
            .map((o) => JSON.stringify(o)),
          fc
            .record({
              type: fc.constant("send"),
              id: fc.integer({ min: 0, max: 1000 }),
              conversationId: fc.oneof(fc.constant(cid), fc.string()),
              messageId: fc.string(),
              body: fc.string(),
            })
            .map((o) => JSON.stringify(o)),
        ),
        async (raw) => {
          const marker = 900_000 + Math.floor(Math.random() * 99_999);
          s.send(raw);
          // A ping after the garbage: its pong proves the garbage was handled and the socket lives.
          const pong = await s.request({ type: "ping", id: marker });
          expect(pong).toEqual({ type: "pong", id: marker });
          for (const f of s.frames.splice(0)) {
            if (f.type === "error") expect(ERROR_CODES).toContain(f.code);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(await stored()).toBe(before);
    await s.closeAndWait();
  });

  it("gives each class of bad frame its documented code", async () => {
    const s = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
    const expectError = async (raw: string, code: string) => {
      s.send(raw);
      expect(await s.next((f) => f.type === "error")).toMatchObject({ code });
    };
    await expectError("{nope", "malformed_json");
    await expectError(JSON.stringify({ type: "teleport", id: 1 }), "unknown_frame_type");
    await expectError(JSON.stringify({ type: "send", id: 1, conversationId: 5 }), "invalid_frame");
    await expectError(
      JSON.stringify({ type: "send", id: 1, conversationId: cid, body: "x".repeat(LIMIT) }),
      "frame_too_large",
    );
    await expectError(
      JSON.stringify({ type: "hello", id: 1, token: p.patients[0]!.token }),
      "already_authenticated",
    );
    // Still serving: a valid send is acked.
    const ack = await s.request({
      type: "send",
      id: 5,
      conversationId: cid,
      messageId: newId("msg"),
      body: b64("ok"),
    });
    expect(ack).toMatchObject({ type: "ack" });
    await s.closeAndWait();
  });

  it("closes a socket that sends a frame far over the limit (1009); others are unaffected", async () => {
    const victim = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
    const other = await RawSocket.hello(t.wsUrl, p.therapist.token);
    victim.send("x".repeat(LIMIT * 5));
    await new Promise<void>((r) => victim.ws.once("close", () => r()));
    expect(victim.closed?.code).toBe(1009);
    expect(await other.request({ type: "ping", id: 3 })).toEqual({ type: "pong", id: 3 });
    await other.closeAndWait();
  });

  it("frames before hello are refused; a bad token closes with 4001", async () => {
    const s = await RawSocket.open(t.wsUrl);
    s.send({ type: "send", id: 1, conversationId: cid, messageId: newId("msg"), body: b64("x") });
    expect(await s.next((f) => f.type === "error")).toMatchObject({ id: 1, code: "unauthenticated" });
    s.send({ type: "hello", id: 2, token: "y".repeat(43), cursors: {} });
    expect(await s.next((f) => f.type === "error")).toMatchObject({ code: "token_invalid" });
    await new Promise<void>((r) => (s.closed ? r() : s.ws.once("close", () => r())));
    expect(s.closed?.code).toBe(4001);
  });

  it("refuses a socket without the hearth.v1 subprotocol", async () => {
    await expect(RawSocket.open(t.wsUrl, "chat")).rejects.toThrow();
  });

  it("a replayed token (after logout) is refused on HTTP and on the socket, and its socket is closed", async () => {
    const second = await login(
      t,
      (await t.call<{ login: string }>("GET", "/v1/me", { token: p.patients[0]!.token })).body.login,
    );
    const live = await RawSocket.hello(t.wsUrl, second.token);
    const out = await t.call("POST", "/v1/auth/logout", { token: second.token });
    expect(out.status).toBe(204);
    await new Promise<void>((r) => (live.closed ? r() : live.ws.once("close", () => r())));
    expect(live.closed?.code).toBe(4001);
    expect(await t.call("GET", "/v1/me", { token: second.token })).toMatchObject({
      status: 401,
      body: { code: "token_invalid" },
    });
    const again = await RawSocket.open(t.wsUrl);
    again.send({ type: "hello", id: 1, token: second.token, cursors: {} });
    expect(await again.next((f) => f.type === "error")).toMatchObject({ code: "token_invalid" });
  });

  it("HTTP: malformed JSON, oversized bodies, wrong types and unknown routes get their codes", async () => {
    expect(await t.call("POST", "/v1/auth/login", { raw: "{oops" })).toMatchObject({
      status: 400,
      body: { code: "malformed_json" },
    });
    expect(
      await t.call("POST", "/v1/auth/login", {
        body: { login: "a".repeat(LIMIT), password: "x", deviceName: "d" },
      }),
    ).toMatchObject({ status: 413, body: { code: "frame_too_large" } });
    expect(
      await t.call("POST", "/v1/auth/login", {
        body: { login: 42, password: "correct horse battery", deviceName: "d" },
      }),
    ).toMatchObject({ status: 400, body: { code: "bad_request", path: "login" } });
    expect(await t.call("GET", "/v1/nothing-here")).toMatchObject({
      status: 404,
      body: { code: "not_found" },
    });
  });

  it("HTTP bodies: arbitrary JSON never causes a 5xx and always yields a known code (property)", async () => {
    const routes: [string, string][] = [
      ...[
        "/v1/auth/login",
        "/v1/auth/unlock",
        "/v1/invites/login-available",
        "/v1/auth/password",
        "/v1/setup",
        "/v1/invites/accept",
        "/v1/invites",
        "/v1/conversations",
      ].map((path): [string, string] => ["POST", path]),
      ["PATCH", `/v1/devices/${p.therapist.deviceId}`],
      ["PATCH", "/v1/me/settings"],
      ["PUT", "/v1/push/subscription"],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue({ maxDepth: 3 }),
        async ([method, path], body) => {
          const r = await t.call<{ code: string }>(method, path, { body, token: p.therapist.token });
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400) expect(ERROR_CODES).toContain(r.body.code);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("push routes: odd subscriptions and references get known codes; no other endpoint is stored (property)", async () => {
    const b64u = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(..."ABCxyz019-_+/=."), minLength: min, maxLength: max });
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            endpoint: fc.oneof(
              fc.webUrl(),
              fc.string(),
              fc.constantFrom(
                "http://127.0.0.1:8080/x",
                "https://fcm.googleapis.com.evil.example/x",
                "https://evil.example/fcm.googleapis.com",
                "file:///etc/passwd",
              ),
            ),
            keys: fc.oneof(fc.record({ p256dh: b64u(80, 90), auth: b64u(20, 24) }), fc.jsonValue()),
            showSender: fc.oneof(fc.boolean(), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        fc.string({ maxLength: 40 }),
        async (body, ref) => {
          const r = await t.call<{ code: string }>("PUT", "/v1/push/subscription", {
            body,
            token: p.patients[0]!.token,
          });
          expect(r.status).toBeLessThan(500);
          expect(r.status).not.toBe(200); // no endpoint above is one of the configured push services
          expect(ERROR_CODES).toContain(r.body.code);
          const g = await t.call<{ code: string }>("GET", `/v1/push/refs/${encodeURIComponent(ref)}`, {
            token: p.patients[0]!.token,
          });
          expect(g.status).toBeLessThan(500);
          expect(ERROR_CODES).toContain(g.body.code);
        },
      ),
      { numRuns: 100 },
    );
    expect(await t.server.storage.push.getSubscription(p.patients[0]!.deviceId)).toBeUndefined();
  });

  it("admin routes: arbitrary queries and path segments never cause a 5xx and change nothing (property)", async () => {
    const before = await t.call<{ accounts: unknown[] }>("GET", "/v1/admin/accounts", {
      token: p.admin.token,
    });
    const segment = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom("usr_", "inv_", "lnk_", "..", "%00", p.patients[0]!.userId.slice(0, -1)),
    );
    const query = fc.dictionary(
      fc.constantFrom("action", "actorId", "from", "to", "before", "limit", "role", "x"),
      fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.constant("2026-01-01T00:00:00Z")),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("audit", "accounts", "deactivate", "reactivate", "invite", "link", "linkInfo"),
        segment,
        query,
        async (kind, seg, q) => {
          const id = encodeURIComponent(seg);
          const search = new URLSearchParams(q).toString();
          const [method, path] = {
            audit: ["GET", `/v1/admin/audit?${search}`],
            accounts: ["GET", `/v1/admin/accounts?${search}`],
            deactivate: ["POST", `/v1/admin/accounts/${id}/deactivate`],
            reactivate: ["POST", `/v1/admin/accounts/${id}/reactivate`],
            invite: ["DELETE", `/v1/admin/invites/${id}`],
            link: ["DELETE", `/v1/sign-in-links/${id}`],
            linkInfo: ["GET", `/v1/sign-in-links/${id}`],
          }[kind] as [string, string];
          const r = await t.call<{ code: string }>(method, path, { token: p.admin.token });
          expect(r.status, path).toBeLessThan(500);
          if (r.status >= 400) expect(ERROR_CODES).toContain(r.body.code);
        },
      ),
      { numRuns: 200 },
    );
    const after = await t.call<{ accounts: unknown[] }>("GET", "/v1/admin/accounts", {
      token: p.admin.token,
    });
    expect(after.body).toEqual(before.body);
  });

  it("notification settings: arbitrary values are refused with a code and leave the settings as they were (property)", async () => {
    const token = p.patients[0]!.token;
    const good = { email: "p@example.org", emailDelayMinutes: 30, emailDigest: false, quietHours: null };
    expect((await t.call("PUT", "/v1/me/notifications", { token, body: good })).status).toBe(200);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            email: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(null), fc.integer()),
            emailDelayMinutes: fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.double(), fc.string()),
            emailDigest: fc.oneof(fc.boolean(), fc.string()),
            quietHours: fc.oneof(
              fc.constant(null),
              fc.record({
                start: fc.oneof(
                  fc.constantFrom("22:00", "24:00", "7:00", "22:60"),
                  fc.string({ maxLength: 8 }),
                ),
                end: fc.oneof(fc.constantFrom("07:00", "00:00"), fc.string({ maxLength: 8 })),
                timeZone: fc.oneof(
                  fc.constantFrom("Europe/Berlin", "Mars/Olympus", "../../etc/passwd", "UTC"),
                  fc.string({ maxLength: 70 }),
                ),
              }),
            ),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const r = await t.call<{ code: string }>("PUT", "/v1/me/notifications", { token, body });
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400) {
            expect(ERROR_CODES).toContain(r.body.code);
            expect((await t.call("GET", "/v1/me/notifications", { token })).body).toEqual(good);
          } else {
            // Accepted: it was valid; put the known settings back.
            await t.call("PUT", "/v1/me/notifications", { token, body: good });
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("unsubscribe: arbitrary tokens and bodies never cause a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), fc.string({ maxLength: 200 }), async (token, body) => {
        const res = await fetch(`${t.url}/v1/unsubscribe/${encodeURIComponent(token)}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
        });
        expect(res.status).toBeLessThan(500);
        const page = await fetch(`${t.url}/unsubscribe/${encodeURIComponent(token)}`);
        expect([200, 404]).toContain(page.status);
      }),
      { numRuns: 60 },
    );
  });

  it("a used or unknown invite is invalid; repeated wrong passwords lock the account", async () => {
    const inv = await t.call<{ token: string }>("POST", "/v1/invites", {
      token: p.therapist.token,
      body: { role: "patient" },
    });
    const accept = (login: string) =>
      t.call<{ code: string }>("POST", "/v1/invites/accept", {
        body: {
          token: inv.body.token,
          login,
          displayName: "P",
          password: "correct horse battery",
          deviceName: "d",
        },
      });
    expect((await accept("first-use")).status).toBe(200);
    expect(await accept("second-use")).toMatchObject({ status: 410, body: { code: "invite_invalid" } });
    expect(await t.call("GET", `/v1/invites/${"z".repeat(43)}`)).toMatchObject({ status: 410 });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await t.call<{ code: string }>("POST", "/v1/auth/login", {
        body: { login: "first-use", password: "wrong password!!", deviceName: "d" },
      });
      codes.push(r.body.code);
    }
    expect(codes).toEqual([
      "login_failed",
      "login_failed",
      "login_failed",
      "login_failed",
      "locked_out",
      "locked_out",
    ]);
    // Even the right password is refused while locked.
    const right = await t.call<{ code: string }>("POST", "/v1/auth/login", {
      body: { login: "first-use", password: "correct horse battery", deviceName: "d" },
    });
    expect(right.body.code).toBe("locked_out");
  });

  it("simultaneous wrong passwords each count towards the lockout", async () => {
    const inv = await t.call<{ token: string }>("POST", "/v1/invites", {
      token: p.therapist.token,
      body: { role: "patient" },
    });
    const login = "burst-user";
    const password = "the burst user's password";
    await t.call("POST", "/v1/invites/accept", {
      body: { token: inv.body.token, login, displayName: "B", password, deviceName: "d" },
    });
    const tries = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.call<{ code: string }>("POST", "/v1/auth/login", {
          body: { login, password: "a wrong guess, again", deviceName: "d" },
        }),
      ),
    );
    expect(tries.map((r) => r.body.code).sort()).toEqual([
      "locked_out",
      "login_failed",
      "login_failed",
      "login_failed",
      "login_failed",
    ]);
    const right = await t.call<{ code: string }>("POST", "/v1/auth/login", {
      body: { login, password, deviceName: "d" },
    });
    expect(right.body.code).toBe("locked_out");
  });

  it("unlock: the right password lifts the lock; wrong ones are coded and count towards the sign-in lockout", async () => {
    const inv = await t.call<{ token: string }>("POST", "/v1/invites", {
      token: p.therapist.token,
      body: { role: "patient" },
    });
    const joined = await t.call<SessionResponse>("POST", "/v1/invites/accept", {
      body: {
        token: inv.body.token,
        login: "unlock-user",
        displayName: "U",
        password: "a password for unlocking",
        deviceName: "d",
      },
    });
    const unlock = (password: unknown, token = joined.body.token) =>
      t.call<{ code: string }>("POST", "/v1/auth/unlock", { token, body: { password } });
    expect((await unlock("a password for unlocking")).status).toBe(204);
    // Another person's password doesn't unlock this one's screen.
    expect(await unlock("correct horse battery staple")).toMatchObject({
      status: 401,
      body: { code: "login_failed" },
    });
    expect(await unlock(42)).toMatchObject({ status: 400, body: { code: "bad_request", path: "password" } });
    expect(await unlock("a password for unlocking", "x".repeat(43))).toMatchObject({
      status: 401,
      body: { code: "token_invalid" },
    });
    // A success resets the count; then wrong unlocks and wrong sign-ins add up to one lockout.
    expect((await unlock("a password for unlocking")).status).toBe(204);
    const codes: string[] = [];
    for (let i = 0; i < 2; i++) codes.push((await unlock("not the password at all")).body.code);
    for (let i = 0; i < 3; i++) {
      const r = await t.call<{ code: string }>("POST", "/v1/auth/login", {
        body: { login: "unlock-user", password: "not the password at all", deviceName: "d" },
      });
      codes.push(r.body.code);
    }
    expect(codes).toEqual(["login_failed", "login_failed", "login_failed", "login_failed", "locked_out"]);
    expect(await unlock("a password for unlocking")).toMatchObject({
      status: 429,
      body: { code: "locked_out" },
    });
    // The session itself still stands (the lock is the app's; signing out stays possible).
    expect((await t.call("GET", "/v1/me", { token: joined.body.token })).status).toBe(200);
    const audit = await t.call<{
      entries: { action: string; actorId: string | null; subject: string | null }[];
    }>("GET", "/v1/audit?limit=500", { token: p.admin.token });
    const actions = audit.body.entries.map((e) => e.action);
    expect(actions).toContain("auth.unlock");
    // A failed unlock names who and which device's lock screen was tried.
    const failed = audit.body.entries.filter((e) => e.action === "auth.unlock_failed");
    expect(failed.length).toBe(3);
    for (const e of failed) {
      expect(e).toMatchObject({ actorId: joined.body.userId, subject: joined.body.deviceId });
    }
    expect(JSON.stringify(audit.body)).not.toContain("password");
    expect(t.logs()).not.toContain("a password for unlocking");
  });

  it("logs carry no tokens or passwords", () => {
    const logs = t.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(p.patients[0]!.token);
    expect(logs).not.toContain(p.therapist.token);
    expect(logs).not.toContain("correct horse battery");
  });
});

describe("session expiry", () => {
  it("an idle session token stops working with token_invalid", async () => {
    const t = await startTestServer({ sessionIdleMs: 24 * 3600_000 });
    try {
      const p = await makePractice(t, 0);
      expect((await t.call("GET", "/v1/me", { token: p.therapist.token })).status).toBe(200);
      // Two days without use: past the idle limit.
      await t.server.storage.auth.touchDevice(
        p.therapist.deviceId,
        new Date(Date.now() - 48 * 3600_000).toISOString(),
      );
      expect(await t.call("GET", "/v1/me", { token: p.therapist.token })).toMatchObject({
        status: 401,
        body: { code: "token_invalid" },
      });
    } finally {
      await t.stop();
    }
  });
});
