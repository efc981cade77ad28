import { createECDH, randomBytes } from "node:crypto";
import { type ConversationId, newCallId, newId, type SessionResponse } from "@hearth/protocol";
import {
  FAST_ARGON2,
  joinByInvite,
  makePractice,
  otherPracticeTherapist,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import argon2 from "argon2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushRef } from "../src/modules/push/push-service.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

// The operator's endpoints (`/metrics` with its own token, public `/readyz`) have their rows of the
// matrix, and their bad-input properties, in test/ops/metrics.test.ts.

/**
 * The authorization matrix: for every endpoint and frame type that touches a conversation, each
 * outsider — another patient of the same therapist, a therapist of another practice, and the practice
 * admin — gets a coded refusal, and nothing about the conversation leaks or changes.
 */
describe("authorization matrix", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let outsiders: Record<string, SessionResponse>;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId!;
    // A therapist of a second practice on the same server.
    // Signing in must succeed (otherPracticeTherapist throws otherwise).
    const otherPractice = await otherPracticeTherapist(t, "elsewhere-therapist");
    outsiders = { otherPatient: p.patients[1]!, otherPractice, admin: p.admin };
    // Something to protect.
    const th = await RawSocket.hello(t.wsUrl, p.therapist.token);
    await th.request({
      type: "send",
      id: 1,
      conversationId: cid,
      messageId: newId("msg"),
      body: b64("secret"),
    });
    await th.closeAndWait();
  });
  afterAll(async () => {
    await t.stop();
  });

  const historyCount = async () =>
    (
      await t.call<{ entries: unknown[] }>("GET", `/v1/conversations/${cid}/messages`, {
        token: p.therapist.token,
      })
    ).body.entries.length;

  for (const who of ["otherPatient", "otherPractice", "admin"] as const) {
    describe(who, () => {
      it("cannot read history (not_found, so existence does not leak)", async () => {
        const r = await t.call("GET", `/v1/conversations/${cid}/messages`, { token: outsiders[who]!.token });
        expect(r).toMatchObject({ status: 404, body: { code: "not_found" } });
      });

      it("does not see the conversation in their list", async () => {
        const r = await t.call<{ conversationId: string }[]>("GET", "/v1/conversations", {
          token: outsiders[who]!.token,
        });
        expect(r.status).toBe(200);
        expect(r.body.map((c) => c.conversationId)).not.toContain(cid);
      });

      it("cannot make a group with someone else's patient", async () => {
        const r = await t.call<{ code: string }>("POST", "/v1/conversations", {
          token: outsiders[who]!.token,
          body: { kind: "group", memberIds: [p.patients[0]!.userId] },
        });
        expect([403, 404]).toContain(r.status);
        expect(["forbidden", "not_found"]).toContain(r.body.code);
      });

      it("cannot rename another user's device", async () => {
        const r = await t.call("PATCH", `/v1/devices/${p.patients[0]!.deviceId}`, {
          token: outsiders[who]!.token,
          body: { name: "Mine now" },
        });
        expect(r).toMatchObject({ status: 404, body: { code: "not_found" } });
        const own = await t.call<{ name: string }[]>("GET", "/v1/devices", { token: p.patients[0]!.token });
        expect(own.body.map((d) => d.name)).not.toContain("Mine now");
      });

      it("cannot resolve, see or remove another device's push subscription", async () => {
        const patient = p.patients[0]!;
        const sub = await t.call("PUT", "/v1/push/subscription", {
          token: patient.token,
          body: {
            endpoint: "https://fcm.googleapis.com/fcm/send/authorization-matrix",
            keys: {
              p256dh: createECDH("prime256v1").generateKeys().toString("base64url"),
              auth: randomBytes(16).toString("base64url"),
            },
          },
        });
        expect(sub.status).toBe(200);
        try {
          const stored = await t.server.storage.push.getSubscription(patient.deviceId);
          const ref = pushRef(stored?.aliasKey ?? "", cid as ConversationId);
          const token = outsiders[who]!.token;
          expect(await t.call("GET", `/v1/push/refs/${ref}`, { token })).toMatchObject({
            status: 404,
            body: { code: "not_found" },
          });
          // The push routes act on the caller's own device only.
          expect((await t.call("GET", "/v1/push/subscription", { token })).body).toEqual({
            subscribed: false,
            showSender: false,
          });
          expect((await t.call("DELETE", "/v1/push/subscription", { token })).status).toBe(204);
          expect(await t.server.storage.push.getSubscription(patient.deviceId)).toBeDefined();
          expect(await t.call("GET", `/v1/push/refs/${ref}`, { token: patient.token })).toMatchObject({
            status: 200,
            body: { conversationId: cid },
          });
        } finally {
          await t.call("DELETE", "/v1/push/subscription", { token: patient.token });
        }
      });

      it("cannot sign out another user's device", async () => {
        const r = await t.call("DELETE", `/v1/devices/${p.patients[0]!.deviceId}`, {
          token: outsiders[who]!.token,
        });
        expect(r).toMatchObject({ status: 404, body: { code: "not_found" } });
      });

      it("cannot read the conversation's MLS group state, a member's keys, or claim their key packages", async () => {
        const token = outsiders[who]!.token;
        const target = p.patients[0]!;
        expect(await t.call("GET", `/v1/conversations/${cid}/group`, { token })).toMatchObject({
          status: 404,
          body: { code: "not_found" },
        });
        expect(await t.call("GET", `/v1/users/${target.userId}/keys`, { token })).toMatchObject({
          status: 404,
          body: { code: "not_found" },
        });
        expect(
          await t.call("POST", "/v1/keys/claim", { token, body: { userIds: [target.userId] } }),
        ).toMatchObject({ status: 404, body: { code: "not_found" } });
      });

      it("gets coded refusals for every conversation frame, and nothing is delivered or stored", async () => {
        const before = await historyCount();
        const s = await RawSocket.hello(t.wsUrl, outsiders[who]!.token, { [cid]: 0 });
        const messageId = newId("msg");
        expect(
          await s.request({ type: "send", id: 1, conversationId: cid, messageId, body: b64("x") }),
        ).toMatchObject({ type: "error", code: "not_found" });
        expect(
          await s.request({
            type: "delete",
            id: 2,
            conversationId: cid,
            messageId,
            tombstoneId: newId("msg"),
          }),
        ).toMatchObject({ type: "error", code: "not_found" });
        s.send({ type: "receipt", conversationId: cid, kind: "read", seq: 1 });
        expect(await s.next((f) => f.type === "error")).toMatchObject({ code: "not_found" });
        s.send({ type: "typing", conversationId: cid, active: true });
        expect(await s.next((f) => f.type === "error")).toMatchObject({ code: "not_found" });
        expect(
          await s.request({
            type: "commit",
            id: 3,
            conversationId: cid,
            messageId: newId("msg"),
            epoch: 0,
            body: b64("commit"),
            welcomes: [{ deviceId: outsiders[who]!.deviceId, body: b64("welcome") }],
            groupInfo: b64("info"),
          }),
        ).toMatchObject({ type: "error", code: "not_found" });
        s.send({ type: "welcome_ack", conversationId: cid });
        expect(await s.next((f) => f.type === "error")).toMatchObject({ code: "not_found" });
        // Calls (issue 12): no ring, answer, hang-up or signal reaches the members' devices.
        const member = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
        const callId = newCallId();
        const calls = [
          { action: "ring", media: "video" },
          { action: "accept" },
          { action: "decline" },
          { action: "busy" },
          { action: "hangup" },
          { action: "signal", toDeviceId: p.patients[0]!.deviceId, body: b64("an MLS message") },
        ];
        for (const [i, c] of calls.entries()) {
          expect(
            await s.request({ type: "call", id: 10 + i, conversationId: cid, callId, ...c }),
          ).toMatchObject({
            type: "error",
            code: "not_found",
            path: "conversationId",
          });
        }
        // A ping answered after the refusals: had anything been relayed, it would be here by now.
        expect(await member.request({ type: "ping", id: 99 })).toMatchObject({ type: "pong" });
        expect(member.frames.filter((f) => f.type === "call")).toEqual([]);
        await member.closeAndWait();
        // The cursor for a foreign conversation in hello got nothing back.
        expect(s.frames.filter((f) => f.type === "message")).toEqual([]);
        await s.closeAndWait();
        expect(await historyCount()).toBe(before);
        const group = await t.call<{ epoch: number; groupInfo: string | null }>(
          "GET",
          `/v1/conversations/${cid}/group`,
          { token: p.therapist.token },
        );
        expect(group.body).toEqual({ epoch: 0, groupInfo: null });
      });
    });
  }

  it("renames one's own device; a bad name is refused and changes nothing; the audit has the act, not the name", async () => {
    const me = p.patients[0]!;
    const rename = (name: unknown) =>
      t.call<{ code: string }>("PATCH", `/v1/devices/${me.deviceId}`, { token: me.token, body: { name } });
    const names = async () =>
      (await t.call<{ name: string }[]>("GET", "/v1/devices", { token: me.token })).body.map((d) => d.name);
    expect((await rename("  Sky's phone  ")).status).toBe(204);
    expect(await names()).toEqual(["Sky's phone"]);
    for (const bad of ["", "   ", "x".repeat(65), 42, null]) {
      expect(await rename(bad), JSON.stringify(bad)).toMatchObject({
        status: 400,
        body: { code: "bad_request" },
      });
    }
    expect(await names()).toEqual(["Sky's phone"]);
    const audit = await t.call<{ entries: { action: string }[] }>("GET", "/v1/audit?limit=500", {
      token: p.admin.token,
    });
    expect(JSON.stringify(audit.body)).toContain("device.rename");
    expect(JSON.stringify(audit.body)).not.toContain("Sky's phone");
  });

  it("patients cannot invite; therapists invite only patients; admins invite only staff", async () => {
    const cases: [string, string, number][] = [
      [p.patients[0]!.token, "patient", 403],
      [p.patients[0]!.token, "therapist", 403],
      [p.therapist.token, "therapist", 403],
      [p.therapist.token, "admin", 403],
      [p.admin.token, "patient", 403],
      [p.therapist.token, "patient", 200],
      [p.admin.token, "therapist", 200],
    ];
    for (const [token, role, status] of cases) {
      const r = await t.call<{ code?: string }>("POST", "/v1/invites", { token, body: { role } });
      expect({ role, status: r.status }).toEqual({ role, status });
      if (status === 403) expect(r.body.code).toBe("forbidden");
    }
  });

  it("only the admin reads the audit log, which holds ids and never content", async () => {
    for (const s of [p.therapist, p.patients[0]!, outsiders.otherPractice!]) {
      const r = await t.call("GET", "/v1/audit", { token: s.token });
      expect(r).toMatchObject({ status: 403, body: { code: "forbidden" } });
    }
    const r = await t.call<{ entries: { action: string }[] }>("GET", "/v1/audit", { token: p.admin.token });
    expect(r.status).toBe(200);
    expect(r.body.entries.map((e) => e.action)).toContain("history.read");
    expect(JSON.stringify(r.body)).not.toContain("secret");
    const v = await t.call<{ ok: boolean; count: number }>("GET", "/v1/audit/verify", {
      token: p.admin.token,
    });
    expect(v.body.ok).toBe(true);
    expect(v.body.count).toBeGreaterThan(5);
  });

  it("only the admin sees the job queue, which holds kinds and counts, never payloads", async () => {
    for (const s of [p.therapist, p.patients[0]!, outsiders.otherPractice!]) {
      const r = await t.call("GET", "/v1/admin/jobs", { token: s.token });
      expect(r).toMatchObject({ status: 403, body: { code: "forbidden" } });
    }
    const r = await t.call("GET", "/v1/admin/jobs", { token: p.admin.token });
    expect(r).toMatchObject({ status: 200, body: { due: 0, running: 0 } });
    expect(JSON.stringify(r.body)).not.toContain("secret");
  });

  it("notification settings are one's own: nobody reads or changes another's, and unsubscribing needs the emailed token", async () => {
    const mine = {
      email: "pat@example.org",
      emailDelayMinutes: 45,
      emailDigest: false,
      quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" },
    };
    const pa = p.patients[0]!;
    expect((await t.call("PUT", "/v1/me/notifications", { token: pa.token, body: mine })).status).toBe(200);
    // The route has no user in it: everyone else sees and sets only their own.
    for (const who of ["otherPatient", "otherPractice", "admin"] as const) {
      const r = await t.call<{ email: string | null }>("GET", "/v1/me/notifications", {
        token: outsiders[who]!.token,
      });
      expect(r.status).toBe(200);
      expect(r.body.email).toBeNull();
      expect(JSON.stringify(r.body)).not.toContain("pat@example.org");
    }
    expect((await t.call("GET", "/v1/me/notifications", { token: pa.token })).body).toEqual(mine);
    // Only staff may choose a digest.
    expect(
      await t.call("PUT", "/v1/me/notifications", { token: pa.token, body: { ...mine, emailDigest: true } }),
    ).toMatchObject({ status: 403, body: { code: "forbidden" } });
    // A guessed unsubscribe token finds nothing and changes nothing.
    for (const token of ["a".repeat(43), "short", "../../v1/me"]) {
      const r = await t.call("POST", `/v1/unsubscribe/${encodeURIComponent(token)}`, {});
      expect(r).toMatchObject({ status: 404, body: { code: "not_found" } });
    }
    expect((await t.call("GET", "/v1/me/notifications", { token: pa.token })).body).toEqual(mine);
  });

  it("every authenticated endpoint refuses a missing and a bogus token with its own code", async () => {
    const endpoints: [string, string][] = [
      ["GET", "/v1/me"],
      ["POST", "/v1/auth/unlock"],
      ["POST", "/v1/auth/password"],
      ["PATCH", "/v1/me/settings"],
      ["GET", "/v1/devices"],
      ["DELETE", `/v1/devices/${p.patients[0]!.deviceId}`],
      ["PATCH", `/v1/devices/${p.patients[0]!.deviceId}`],
      ["POST", "/v1/invites"],
      ["GET", "/v1/conversations"],
      ["POST", "/v1/conversations"],
      ["GET", `/v1/conversations/${cid}/messages`],
      ["GET", "/v1/audit"],
      ["GET", "/v1/audit/verify"],
      ["PUT", "/v1/keys/identity"],
      ["GET", `/v1/users/${p.patients[0]!.userId}/keys`],
      ["POST", "/v1/keys/packages"],
      ["GET", "/v1/keys/packages/count"],
      ["POST", "/v1/keys/claim"],
      ["GET", `/v1/conversations/${cid}/group`],
      ["GET", "/v1/me/notifications"],
      ["PUT", "/v1/me/notifications"],
      ["GET", "/v1/admin/jobs"],
      ["GET", "/v1/push/key"],
      ["GET", "/v1/push/subscription"],
      ["PUT", "/v1/push/subscription"],
      ["DELETE", "/v1/push/subscription"],
      ["GET", `/v1/push/refs/${"A".repeat(22)}`],
      ["GET", "/v1/calls/turn"],
      ["GET", "/v1/calls/settings"],
      ["PUT", "/v1/calls/settings"],
      ["POST", "/v1/auth/logout"],
    ];
    for (const [method, path] of endpoints) {
      const body = method === "GET" || method === "DELETE" ? undefined : {};
      const none = await t.call(method, path, { body });
      expect({ path, none }).toMatchObject({
        path,
        none: { status: 401, body: { code: "unauthenticated" } },
      });
      const bogus = await t.call(method, path, { body, token: "x".repeat(43) });
      expect({ path, bogus }).toMatchObject({
        path,
        bogus: { status: 401, body: { code: "token_invalid" } },
      });
    }
  });
});

/**
 * The admin console and sign-in links: every admin route refuses anyone but an admin (`forbidden`),
 * an admin of another practice reaches nothing of this one (`not_found`, and an empty view), and
 * sign-in links go only where their issuer may send them.
 */
describe("authorization matrix: admin console and sign-in links", () => {
  let t: TestServer;
  let p: Practice;
  let otherAdmin: SessionResponse;
  let otherTherapistsPatient: SessionResponse;
  let inviteId: string;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    // A second therapist of the same practice with a patient of their own.
    const second = await joinByInvite(t, p.admin.token, "therapist", "Dr Other");
    otherTherapistsPatient = await joinByInvite(t, second.token, "patient", "Not yours");
    // An admin of a second practice on the same server, made through the store (setup is one-time).
    const store = t.server.storage.auth;
    const now = new Date().toISOString();
    const prc = newId("prc");
    await store.createPractice({ id: prc, name: "Other practice", createdAt: now });
    await store.createUser({
      id: newId("usr"),
      practiceId: prc,
      role: "admin",
      login: "elsewhere-admin",
      displayName: "Elsewhere admin",
      email: null,
      passwordHash: await argon2.hash("correct horse battery staple", {
        type: argon2.argon2id,
        ...FAST_ARGON2,
      }),
      showPresence: true,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: now,
    });
    otherAdmin = (
      await t.call<SessionResponse>("POST", "/v1/auth/login", {
        body: { login: "elsewhere-admin", password: "correct horse battery staple", deviceName: "x" },
      })
    ).body;
    inviteId = (
      await t.call<{ inviteId: string }>("POST", "/v1/invites", {
        token: p.admin.token,
        body: { role: "therapist" },
      })
    ).body.inviteId;
  });
  afterAll(async () => {
    await t.stop();
  });

  const adminEndpoints = (): [string, string][] => [
    ["GET", "/v1/admin/accounts"],
    ["POST", `/v1/admin/accounts/${p.patients[0]!.userId}/deactivate`],
    ["POST", `/v1/admin/accounts/${p.patients[0]!.userId}/reactivate`],
    ["GET", "/v1/admin/pending"],
    ["DELETE", `/v1/admin/invites/${inviteId}`],
    ["GET", "/v1/admin/audit"],
  ];

  it("refuses every admin route without a token, with a bogus one, and to therapists and patients", async () => {
    for (const [method, path] of adminEndpoints()) {
      expect(await t.call(method, path), path).toMatchObject({
        status: 401,
        body: { code: "unauthenticated" },
      });
      expect(await t.call(method, path, { token: "x".repeat(43) }), path).toMatchObject({
        status: 401,
        body: { code: "token_invalid" },
      });
      for (const s of [p.therapist, p.patients[0]!]) {
        expect(await t.call(method, path, { token: s.token }), path).toMatchObject({
          status: 403,
          body: { code: "forbidden" },
        });
      }
    }
    for (const [method, path] of [
      ["POST", "/v1/sign-in-links"],
      ["DELETE", `/v1/sign-in-links/lnk_${"a".repeat(22)}`],
    ] as const) {
      expect(await t.call(method, path, { body: method === "POST" ? {} : undefined }), path).toMatchObject({
        status: 401,
        body: { code: "unauthenticated" },
      });
    }
    // Nothing changed: the patient is active, the invite still pending.
    const accounts = await t.call<{ accounts: { deactivatedAt: string | null }[] }>(
      "GET",
      "/v1/admin/accounts",
      {
        token: p.admin.token,
      },
    );
    expect(accounts.body.accounts.every((a) => a.deactivatedAt === null)).toBe(true);
  });

  it("an admin of another practice sees none of this practice and can change none of it", async () => {
    const token = otherAdmin.token;
    const list = await t.call<{ accounts: { userId: string }[] }>("GET", "/v1/admin/accounts", { token });
    expect(list.body.accounts.map((a) => a.userId)).not.toContain(p.patients[0]!.userId);
    const pending = await t.call<{ invites: unknown[]; signInLinks: unknown[] }>("GET", "/v1/admin/pending", {
      token,
    });
    expect(pending.body).toEqual({ invites: [], signInLinks: [] });
    for (const [method, path] of adminEndpoints().filter(([m]) => m !== "GET")) {
      expect(await t.call(method, path, { token }), path).toMatchObject({
        status: 404,
        body: { code: "not_found" },
      });
    }
    expect(
      await t.call("POST", "/v1/sign-in-links", { token, body: { userId: p.patients[0]!.userId } }),
    ).toMatchObject({ status: 404, body: { code: "not_found" } });
    const audit = await t.call<{ entries: { actorId: string | null }[]; names: Record<string, string> }>(
      "GET",
      "/v1/admin/audit?limit=500",
      { token },
    );
    const mine = new Set([p.admin.userId, p.therapist.userId, p.patients[0]!.userId]);
    expect(audit.body.entries.some((e) => e.actorId !== null && mine.has(e.actorId as never))).toBe(false);
    expect(Object.keys(audit.body.names).some((id) => mine.has(id as never))).toBe(false);
  });

  it("sign-in links: patients may not issue; a therapist only for their own patients; an admin for anyone", async () => {
    const issue = (token: string, userId: string) =>
      t.call<{ code?: string; linkId?: string }>("POST", "/v1/sign-in-links", { token, body: { userId } });
    expect(await issue(p.patients[0]!.token, p.patients[0]!.userId)).toMatchObject({
      status: 403,
      body: { code: "forbidden" },
    });
    for (const target of [otherTherapistsPatient.userId, p.admin.userId, newId("usr")]) {
      expect(await issue(p.therapist.token, target), target).toMatchObject({
        status: 404,
        body: { code: "not_found" },
      });
    }
    const mine = await issue(p.therapist.token, p.patients[0]!.userId);
    expect(mine.status).toBe(200);
    for (const target of [p.therapist.userId, otherTherapistsPatient.userId, p.admin.userId]) {
      expect((await issue(p.admin.token, target)).status, target).toBe(200);
    }
    // Withdrawing: not another therapist's or a patient's to withdraw; the issuer's and an admin's.
    const theirs = await issue(p.admin.token, otherTherapistsPatient.userId);
    for (const s of [p.patients[0]!, p.therapist, otherAdmin]) {
      expect(
        await t.call("DELETE", `/v1/sign-in-links/${theirs.body.linkId}`, { token: s.token }),
      ).toMatchObject({
        status: 404,
        body: { code: "not_found" },
      });
    }
    expect(
      (await t.call("DELETE", `/v1/sign-in-links/${mine.body.linkId}`, { token: p.therapist.token })).status,
    ).toBe(204);
    expect(
      (await t.call("DELETE", `/v1/sign-in-links/${theirs.body.linkId}`, { token: p.admin.token })).status,
    ).toBe(204);
  });
});
