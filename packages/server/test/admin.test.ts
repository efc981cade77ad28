import { createHash } from "node:crypto";
import { once } from "node:events";
import { CloseCode, type SessionResponse, type SignInLinkId } from "@hearth/protocol";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PASSWORD = "correct horse battery staple";

/** The admin console and issued sign-in links, driven through the real HTTP API and socket. */
describe("admin console", () => {
  let t: TestServer;
  let p: Practice;
  const loginOf = async (s: SessionResponse) =>
    (await t.call<{ login: string }>("GET", "/v1/me", { token: s.token })).body.login;
  const signIn = (login: string, password = PASSWORD) =>
    t.call<SessionResponse & { code?: string }>("POST", "/v1/auth/login", {
      body: { login, password, deviceName: "again" },
    });
  const actions = async () =>
    (
      await t.call<{ entries: { action: string; actorId: string | null; subject: string | null }[] }>(
        "GET",
        "/v1/admin/audit?limit=500",
        { token: p.admin.token },
      )
    ).body.entries;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
  });
  afterAll(async () => {
    await t.stop();
  });

  it("lists the practice's accounts with role, last activity and live devices, staff first", async () => {
    const r = await t.call<{
      accounts: { userId: string; role: string; devices: number; lastActiveAt: string }[];
    }>("GET", "/v1/admin/accounts", { token: p.admin.token });
    expect(r.status).toBe(200);
    expect(r.body.accounts.map((a) => a.role)).toEqual(["admin", "therapist", "patient", "patient"]);
    expect(r.body.accounts.every((a) => a.devices === 1 && a.lastActiveAt)).toBe(true);
    const staff = await t.call<{ accounts: { role: string }[] }>("GET", "/v1/admin/accounts?role=therapist", {
      token: p.admin.token,
    });
    expect(staff.body.accounts.map((a) => a.role)).toEqual(["therapist"]);
  });

  it("withdraws a pending invite: the link fails and the invite leaves the pending list", async () => {
    const inv = await t.call<{ inviteId: string; token: string }>("POST", "/v1/invites", {
      token: p.admin.token,
      body: { role: "therapist" },
    });
    const pending = await t.call<{ invites: { inviteId: string }[] }>("GET", "/v1/admin/pending", {
      token: p.admin.token,
    });
    expect(pending.body.invites.map((i) => i.inviteId)).toContain(inv.body.inviteId);
    expect(
      (await t.call("DELETE", `/v1/admin/invites/${inv.body.inviteId}`, { token: p.admin.token })).status,
    ).toBe(204);
    expect(await t.call("GET", `/v1/invites/${inv.body.token}`)).toMatchObject({
      status: 410,
      body: { code: "invite_invalid" },
    });
    const accept = await t.call("POST", "/v1/invites/accept", {
      body: {
        token: inv.body.token,
        login: "late-one",
        displayName: "Late",
        password: PASSWORD,
        deviceName: "d",
      },
    });
    expect(accept).toMatchObject({ status: 410, body: { code: "invite_invalid" } });
    // Twice is not_found: nothing pending has that id any more.
    expect(
      await t.call("DELETE", `/v1/admin/invites/${inv.body.inviteId}`, { token: p.admin.token }),
    ).toMatchObject({
      status: 404,
    });
    const after = await t.call<{ invites: { inviteId: string }[] }>("GET", "/v1/admin/pending", {
      token: p.admin.token,
    });
    expect(after.body.invites.map((i) => i.inviteId)).not.toContain(inv.body.inviteId);
    expect(
      (await actions()).some((e) => e.action === "invite.revoke" && e.subject === inv.body.inviteId),
    ).toBe(true);
  });

  it("deactivation closes the account's open socket with 4001, kills its tokens and refuses sign-in; reactivation lets it in", async () => {
    const patient = p.patients[1]!;
    const login = await loginOf(patient);
    const socket = await RawSocket.hello(t.wsUrl, patient.token);
    const closed = once(socket.ws, "close");
    const r = await t.call<{ deactivatedAt: string | null; devices: number }>(
      "POST",
      `/v1/admin/accounts/${patient.userId}/deactivate`,
      { token: p.admin.token },
    );
    expect(r.status).toBe(200);
    expect(r.body.deactivatedAt).not.toBeNull();
    expect(r.body.devices).toBe(0);
    const [code] = (await closed) as [number];
    expect(code).toBe(CloseCode.tokenInvalid);
    expect(await t.call("GET", "/v1/me", { token: patient.token })).toMatchObject({
      status: 401,
      body: { code: "token_invalid" },
    });
    // The right password gets the clear answer; a wrong one still gets the usual one.
    expect(await signIn(login)).toMatchObject({ status: 403, body: { code: "account_deactivated" } });
    expect(await signIn(login, "not the password at all")).toMatchObject({
      status: 401,
      body: { code: "login_failed" },
    });
    // No sign-in link can be issued for a deactivated account.
    expect(
      await t.call("POST", "/v1/sign-in-links", { token: p.admin.token, body: { userId: patient.userId } }),
    ).toMatchObject({ status: 403, body: { code: "account_deactivated" } });

    const back = await t.call<{ deactivatedAt: string | null }>(
      "POST",
      `/v1/admin/accounts/${patient.userId}/reactivate`,
      { token: p.admin.token },
    );
    expect(back.body.deactivatedAt).toBeNull();
    // Old tokens stay dead; a fresh sign-in works.
    expect((await t.call("GET", "/v1/me", { token: patient.token })).status).toBe(401);
    const again = await signIn(login);
    expect(again.status).toBe(200);
    p.patients[1] = again.body;
    const audit = await actions();
    expect(audit.some((e) => e.action === "account.deactivate" && e.actorId === p.admin.userId)).toBe(true);
    expect(audit.some((e) => e.action === "account.reactivate" && e.subject === patient.userId)).toBe(true);
  });

  it("an admin cannot deactivate themselves", async () => {
    expect(
      await t.call("POST", `/v1/admin/accounts/${p.admin.userId}/deactivate`, { token: p.admin.token }),
    ).toMatchObject({ status: 403, body: { code: "forbidden" } });
  });

  it("a therapist's sign-in link sets a new password once; the old one stops working; the devices stay", async () => {
    const patient = p.patients[0]!;
    const login = await loginOf(patient);
    const link = await t.call<{ linkId: string; token: string; expiresAt: string }>(
      "POST",
      "/v1/sign-in-links",
      {
        token: p.therapist.token,
        body: { userId: patient.userId },
      },
    );
    expect(link.status).toBe(200);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    // Only the hash is stored.
    const stored = await t.server.storage.admin.getSignInLink(link.body.linkId as SignInLinkId);
    expect(stored?.tokenHash).toBe(createHash("sha256").update(link.body.token).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(link.body.token);

    const info = await t.call<{ login: string; displayName: string }>(
      "GET",
      `/v1/sign-in-links/${link.body.token}`,
    );
    expect(info).toMatchObject({ status: 200, body: { login, displayName: "Robin0" } });
    const NEW = "a whole new password";
    expect(
      await t.call("POST", "/v1/sign-in-links/redeem", { body: { token: link.body.token, password: NEW } }),
    ).toMatchObject({ status: 200, body: { login } });
    expect(await signIn(login)).toMatchObject({ status: 401, body: { code: "login_failed" } });
    expect((await signIn(login, NEW)).status).toBe(200);
    expect((await t.call("GET", "/v1/me", { token: patient.token })).status).toBe(200);
    // Twice: link_invalid, and the password is not changed again.
    expect(
      await t.call("POST", "/v1/sign-in-links/redeem", {
        body: { token: link.body.token, password: PASSWORD },
      }),
    ).toMatchObject({ status: 410, body: { code: "link_invalid" } });
    expect(await t.call("GET", `/v1/sign-in-links/${link.body.token}`)).toMatchObject({
      status: 410,
      body: { code: "link_invalid" },
    });
    expect((await signIn(login, NEW)).status).toBe(200);
    const audit = await actions();
    expect(audit.some((e) => e.action === "link.create" && e.actorId === p.therapist.userId)).toBe(true);
    expect(audit.some((e) => e.action === "link.redeem" && e.actorId === patient.userId)).toBe(true);
  });

  it("a withdrawn or expired link fails with link_invalid", async () => {
    const patient = p.patients[0]!;
    const link = await t.call<{ linkId: string; token: string }>("POST", "/v1/sign-in-links", {
      token: p.admin.token,
      body: { userId: patient.userId },
    });
    const pending = await t.call<{ signInLinks: { linkId: string }[] }>("GET", "/v1/admin/pending", {
      token: p.admin.token,
    });
    expect(pending.body.signInLinks.map((l) => l.linkId)).toContain(link.body.linkId);
    expect(
      (await t.call("DELETE", `/v1/sign-in-links/${link.body.linkId}`, { token: p.admin.token })).status,
    ).toBe(204);
    expect(
      await t.call("POST", "/v1/sign-in-links/redeem", {
        body: { token: link.body.token, password: PASSWORD },
      }),
    ).toMatchObject({ status: 410, body: { code: "link_invalid" } });

    const token = "an-expired-link-token-with-enough-length";
    const past = new Date(Date.now() - 1000).toISOString();
    await t.server.storage.admin.createSignInLink({
      id: `lnk_${"e".repeat(22)}` as SignInLinkId,
      practiceId: (await t.server.storage.auth.getUser(patient.userId))!.practiceId,
      userId: patient.userId,
      issuerId: p.admin.userId,
      tokenHash: createHash("sha256").update(token).digest("hex"),
      createdAt: past,
      expiresAt: past,
      usedAt: null,
      revokedAt: null,
    });
    expect(await t.call("GET", `/v1/sign-in-links/${token}`)).toMatchObject({
      status: 410,
      body: { code: "link_invalid" },
    });
  });

  it("filters the audit log by action, actor and time, pages it, and names the practice's accounts", async () => {
    const all = await t.call<{
      entries: { seq: number; action: string; actorId: string | null }[];
      names: Record<string, string>;
      nextBefore: number | null;
    }>("GET", "/v1/admin/audit?limit=3", { token: p.admin.token });
    expect(all.body.entries).toHaveLength(3);
    expect(all.body.entries[0]!.action).toBe("audit.read");
    const seqs = all.body.entries.map((e) => e.seq);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    expect(all.body.names[p.admin.userId]).toBe("Admin");
    const next = await t.call<{ entries: { seq: number }[] }>(
      "GET",
      `/v1/admin/audit?limit=3&before=${all.body.nextBefore}`,
      { token: p.admin.token },
    );
    expect(next.body.entries[0]!.seq).toBeLessThan(seqs.at(-1)!);
    const byAction = await t.call<{ entries: { action: string }[] }>(
      "GET",
      "/v1/admin/audit?action=link.redeem",
      {
        token: p.admin.token,
      },
    );
    expect(byAction.body.entries.length).toBeGreaterThan(0);
    expect(byAction.body.entries.every((e) => e.action === "link.redeem")).toBe(true);
    const byActor = await t.call<{ entries: { actorId: string }[] }>(
      "GET",
      `/v1/admin/audit?actorId=${p.therapist.userId}`,
      { token: p.admin.token },
    );
    expect(byActor.body.entries.every((e) => e.actorId === p.therapist.userId)).toBe(true);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await t.call<{ entries: unknown[] }>("GET", `/v1/admin/audit?from=${future}`, {
      token: p.admin.token,
    });
    expect(none.body.entries).toEqual([]);
    const verify = await t.call<{ ok: boolean }>("GET", "/v1/audit/verify", { token: p.admin.token });
    expect(verify.body.ok).toBe(true);
  });

  it("keeps content out: the audit view holds ids, actions and names only", async () => {
    const r = await t.call("GET", "/v1/admin/audit?limit=500", { token: p.admin.token });
    expect(JSON.stringify(r.body)).not.toMatch(/password|\$argon2/);
  });
});
