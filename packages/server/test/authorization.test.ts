import { newId, type SessionResponse } from "@hearth/protocol";
import {
  makePractice,
  otherPracticeTherapist,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const b64 = (s: string) => Buffer.from(s).toString("base64");

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

  it("every authenticated endpoint refuses a missing and a bogus token with its own code", async () => {
    const endpoints: [string, string][] = [
      ["GET", "/v1/me"],
      ["POST", "/v1/auth/unlock"],
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
