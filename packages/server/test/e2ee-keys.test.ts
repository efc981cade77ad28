import {
  login,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");

describe("end-to-end encryption support: archive keys, transfer mailbox, device changes", () => {
  let t: TestServer;
  let p: Practice;
  const sockets: RawSocket[] = [];
  const meLogin = async (token: string) =>
    (await t.call<{ login: string }>("GET", "/v1/me", { token })).body.login;

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.closeAndWait();
    await t.stop();
  });

  it("publishes an archive key record (replacing the old one), visible to contacts only", async () => {
    const pa = p.patients[0]!;
    for (const rec of [b64([1, 2]), b64([3])]) {
      expect(
        (await t.call("PUT", "/v1/keys/archive", { token: pa.token, body: { archiveKey: rec } })).status,
      ).toBe(204);
    }
    const seen = await t.call<{ archiveKey: string | null }>("GET", `/v1/users/${pa.userId}/keys`, {
      token: p.therapist.token,
    });
    expect(seen.body.archiveKey).toBe(b64([3]));
    const other = await t.call("GET", `/v1/users/${pa.userId}/keys`, { token: p.patients[1]!.token });
    expect(other).toMatchObject({ status: 404, body: { code: "not_found" } });
    const bad = await t.call("PUT", "/v1/keys/archive", {
      token: pa.token,
      body: { archiveKey: "not base64!" },
    });
    expect(bad).toMatchObject({ status: 400, body: { code: "bad_request" } });
  });

  it("relays one message between two devices of the same user; nobody else can read or write it", async () => {
    const pa = p.patients[0]!;
    const second = await login(t, await meLogin(pa.token), "new phone");
    const open = await t.call<{ transferId: string; body: null }>("POST", "/v1/transfers", {
      token: second.token,
      body: {},
    });
    expect(open.status).toBe(200);
    const id = open.body.transferId;
    expect(id).toMatch(/^trf_/);
    const path = `/v1/transfers/${id}`;
    // Another user (even the therapist who shares a conversation) sees nothing.
    expect(await t.call("GET", path, { token: p.therapist.token })).toMatchObject({ status: 404 });
    expect(await t.call("PUT", path, { token: p.therapist.token, body: { body: b64([9]) } })).toMatchObject({
      status: 404,
      body: { code: "not_found" },
    });
    expect((await t.call<{ body: null }>("GET", path, { token: second.token })).body.body).toBeNull();
    expect((await t.call("PUT", path, { token: pa.token, body: { body: b64([7, 7]) } })).status).toBe(204);
    expect(await t.call("PUT", path, { token: pa.token, body: { body: b64([8]) } })).toMatchObject({
      status: 409,
      body: { code: "transfer_full" },
    });
    expect((await t.call<{ body: string }>("GET", path, { token: second.token })).body.body).toBe(
      b64([7, 7]),
    );
    expect((await t.call("DELETE", path, { token: second.token })).status).toBe(204);
    expect(await t.call("GET", path, { token: second.token })).toMatchObject({ status: 404 });
  });

  it("refuses malformed transfer ids and bodies with a coded error (property)", async () => {
    const pa = p.patients[0]!;
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), fc.jsonValue(), async (id, body) => {
        const r = await t.call<{ code: string }>("PUT", `/v1/transfers/${encodeURIComponent(id)}`, {
          token: pa.token,
          body,
        });
        expect([400, 404]).toContain(r.status);
        expect(["bad_request", "malformed_json", "not_found"]).toContain(r.body.code);
      }),
      { numRuns: 60 },
    );
  });

  it("tells the members of a user's conversations when that user's devices change", async () => {
    const pa = p.patients[0]!;
    const cid = pa.conversationId!;
    const th = await RawSocket.hello(t.wsUrl, p.therapist.token);
    sockets.push(th);
    const up = await t.call("POST", "/v1/keys/packages", {
      token: pa.token,
      body: { keyPackages: [b64([1])] },
    });
    expect(up.status).toBe(200);
    expect(await th.next((f) => f.type === "devices")).toEqual({
      type: "devices",
      conversationId: cid,
      userId: pa.userId,
    });
    const second = await login(t, await meLogin(pa.token), "old laptop");
    expect((await t.call("DELETE", `/v1/devices/${second.deviceId}`, { token: pa.token })).status).toBe(204);
    await th.next((f) => f.type === "devices" && f.userId === pa.userId);
  });
});
