import { ERROR_CODES, type SessionResponse } from "@hearth/protocol";
import {
  joinByInvite,
  login,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PASSWORD = "correct horse battery staple";

describe("changing a password", () => {
  let t: TestServer;
  let p: Practice;

  beforeAll(async () => {
    t = await startTestServer({ sessionIdleMs: 60 * 60_000 });
    p = await makePractice(t, 1);
  });
  afterAll(async () => {
    await t.stop();
  });

  const loginOf = async (s: SessionResponse) =>
    (await t.call<{ login: string }>("GET", "/v1/me", { token: s.token })).body.login;
  const change = (token: string | undefined, body: unknown) =>
    t.call<{ code?: string; path?: string }>("POST", "/v1/auth/password", { token, body });
  const signIn = (loginName: string, password: string) =>
    t.call<{ code?: string }>("POST", "/v1/auth/login", {
      body: { login: loginName, password, deviceName: "check" },
    });

  it("needs a signed-in device: no token and a bogus token are refused with their codes", async () => {
    const body = { currentPassword: PASSWORD, newPassword: "another good password" };
    expect(await change(undefined, body)).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
    expect(await change("x".repeat(43), body)).toMatchObject({
      status: 401,
      body: { code: "token_invalid" },
    });
  });

  it("changes only the caller's own password, whatever the role; other sessions end, this one stays", async () => {
    for (const who of ["patient", "therapist", "admin"] as const) {
      const me =
        who === "admin"
          ? p.admin
          : who === "therapist"
            ? await joinByInvite(t, p.admin.token, "therapist")
            : await joinByInvite(t, p.therapist.token, "patient");
      const name = await loginOf(me);
      const other = await login(t, name, "other");
      const socket = await RawSocket.hello(t.wsUrl, other.token);
      const next = `a brand new password for ${who}`;
      expect((await change(me.token, { currentPassword: PASSWORD, newPassword: next })).status).toBe(204);
      // This device stays signed in; the other one is signed out, and its socket closes.
      expect((await t.call("GET", "/v1/me", { token: me.token })).status).toBe(200);
      expect(await t.call("GET", "/v1/me", { token: other.token })).toMatchObject({
        status: 401,
        body: { code: "token_invalid" },
      });
      const code = socket.closed?.code ?? (await new Promise<number>((r) => socket.ws.once("close", r)));
      expect(code).toBe(4001);
      // The old password no longer signs in; the new one does.
      expect(await signIn(name, PASSWORD)).toMatchObject({ status: 401, body: { code: "login_failed" } });
      expect((await signIn(name, next)).status).toBe(200);
      // Nobody else's password changed.
      expect((await signIn(await loginOf(p.patients[0]!), PASSWORD)).status).toBe(200);
    }
    const audit = await t.call<{ entries: { action: string; actorId: string | null }[] }>(
      "GET",
      "/v1/audit",
      {
        token: p.admin.token,
      },
    );
    expect(audit.body.entries.filter((e) => e.action === "auth.password_change")).toHaveLength(3);
    expect(JSON.stringify(audit.body)).not.toContain("brand new password");
  });

  it("a wrong current password is password_wrong, changes nothing, and counts towards the lockout", async () => {
    const me = await joinByInvite(t, p.therapist.token, "patient");
    const name = await loginOf(me);
    const wrong = await change(me.token, {
      currentPassword: "not my password at all",
      newPassword: "x".repeat(12),
    });
    expect(wrong).toMatchObject({ status: 403, body: { code: "password_wrong" } });
    expect((await signIn(name, PASSWORD)).status).toBe(200);
    expect(await signIn(name, "x".repeat(12))).toMatchObject({ status: 401, body: { code: "login_failed" } });
    // Wrong answers here and at sign-in add up to one lockout (5 failures by default).
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        (await change(me.token, { currentPassword: "still not it, no", newPassword: "y".repeat(12) })).body
          .code,
      );
    }
    expect(codes.slice(0, 2)).toEqual(["password_wrong", "password_wrong"]);
    expect(codes).toContain("locked_out");
    // Locked: even the right current password is refused, and nothing changes.
    expect(await change(me.token, { currentPassword: PASSWORD, newPassword: "z".repeat(12) })).toMatchObject({
      status: 429,
      body: { code: "locked_out" },
    });
    const audit = await t.call<{ entries: { action: string; actorId: string | null }[] }>(
      "GET",
      "/v1/audit",
      {
        token: p.admin.token,
      },
    );
    expect(
      audit.body.entries.some((e) => e.action === "auth.password_change_failed" && e.actorId === me.userId),
    ).toBe(true);
  });

  it("bad bodies are bad_request with the field's path; arbitrary JSON never causes a 5xx (property)", async () => {
    const me = await joinByInvite(t, p.therapist.token, "patient");
    expect(await change(me.token, { currentPassword: PASSWORD, newPassword: "short" })).toMatchObject({
      status: 400,
      body: { code: "bad_request", path: "newPassword" },
    });
    expect(await change(me.token, { currentPassword: 42, newPassword: "long enough here" })).toMatchObject({
      status: 400,
      body: { code: "bad_request", path: "currentPassword" },
    });
    expect(
      await change(me.token, { currentPassword: PASSWORD, newPassword: "long enough here", extra: 1 }),
    ).toMatchObject({
      status: 400,
      body: { code: "bad_request" },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record({
            currentPassword: fc.string({ maxLength: 300 }),
            newPassword: fc.string({ maxLength: 300 }),
          }),
        ),
        async (body) => {
          const r = await change(me.token, body);
          expect(r.status).toBeLessThan(500);
          // The property never knows the current password: nothing may ever change.
          expect(r.status).not.toBe(204);
          if (r.status >= 400) expect(ERROR_CODES).toContain(r.body.code);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("checking a sign-in name while joining", () => {
  let t: TestServer;
  let p: Practice;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
  });
  afterAll(async () => {
    await t.stop();
  });

  const ask = (body: unknown) =>
    t.call<{ available?: boolean; code?: string; path?: string }>("POST", "/v1/invites/login-available", {
      body,
    });

  it("answers only the holder of a live invite", async () => {
    const taken = (await t.call<{ login: string }>("GET", "/v1/me", { token: p.patients[0]!.token })).body
      .login;
    const inv = await t.call<{ token: string }>("POST", "/v1/invites", {
      token: p.therapist.token,
      body: { role: "patient" },
    });
    expect(await ask({ token: inv.body.token, login: taken })).toMatchObject({
      status: 200,
      body: { available: false },
    });
    expect(await ask({ token: inv.body.token, login: "sky.free1" })).toMatchObject({
      status: 200,
      body: { available: true },
    });
    // Case is folded, as sign-in folds it.
    expect(await ask({ token: inv.body.token, login: taken.toUpperCase() })).toMatchObject({
      body: { available: false },
    });
    expect(await ask({ token: "x".repeat(43), login: taken })).toMatchObject({
      status: 410,
      body: { code: "invite_invalid" },
    });
    expect(await ask({ token: inv.body.token, login: "no spaces" })).toMatchObject({
      status: 400,
      body: { code: "bad_request", path: "login" },
    });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
        const r = await ask(body);
        expect(r.status).toBeLessThan(500);
        if (r.status >= 400) expect(ERROR_CODES).toContain(r.body.code);
      }),
      { numRuns: 60 },
    );
  });
});
