import { newId } from "@hearth/protocol";
import {
  login,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");

describe("MLS delivery service over the wire", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  const sockets: RawSocket[] = [];
  const open = async (token: string) => {
    const s = await RawSocket.hello(t.wsUrl, token);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.closeAndWait();
    await t.stop();
  });

  it("key packages: upload, count, claim per device (only for contacts), last resort after", async () => {
    const pa = p.patients[0]!;
    const up = await t.call("POST", "/v1/keys/packages", {
      token: pa.token,
      body: { keyPackages: [b64([1]), b64([2])], lastResort: b64([9]) },
    });
    expect(up).toMatchObject({ status: 200, body: { available: 2 } });
    const claim = () =>
      t.call<{ keyPackages: { deviceId: string; keyPackage: string }[] }>("POST", "/v1/keys/claim", {
        token: p.therapist.token,
        body: { userIds: [pa.userId] },
      });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await claim()).body.keyPackages.map((k) => k.keyPackage));
    expect(got).toEqual([[b64([1])], [b64([2])], [b64([9])]]);
    // Another patient is not a contact of this patient: not_found.
    const refused = await t.call("POST", "/v1/keys/claim", {
      token: p.patients[1]!.token,
      body: { userIds: [pa.userId] },
    });
    expect(refused).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("identity keys are pinned once and visible to contacts only", async () => {
    const pa = p.patients[0]!;
    expect(
      (await t.call("PUT", "/v1/keys/identity", { token: pa.token, body: { identityKey: b64([1, 2, 3]) } }))
        .status,
    ).toBe(204);
    expect(
      await t.call("PUT", "/v1/keys/identity", { token: pa.token, body: { identityKey: b64([4]) } }),
    ).toMatchObject({
      status: 409,
      body: { code: "identity_exists" },
    });
    const seen = await t.call<{ identityKey: string; devices: string[] }>(
      "GET",
      `/v1/users/${pa.userId}/keys`,
      {
        token: p.therapist.token,
      },
    );
    expect(seen.body).toMatchObject({ identityKey: b64([1, 2, 3]), devices: [pa.deviceId] });
    expect(await t.call("GET", `/v1/users/${pa.userId}/keys`, { token: p.patients[1]!.token })).toMatchObject(
      {
        status: 404,
      },
    );
  });

  it("orders commits by epoch, routes welcomes live and at hello, keeps group info", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    const commit = (s: RawSocket, id: number, epoch: number, extra: Record<string, unknown> = {}) =>
      s.request({
        type: "commit",
        id,
        conversationId: cid,
        messageId: newId("msg"),
        epoch,
        body: b64([id]),
        ...extra,
      });
    const win = await commit(th, 1, 0, {
      welcomes: [{ deviceId: p.patients[0]!.deviceId, body: b64([7, 7]) }],
      groupInfo: b64([3]),
    });
    expect(win).toMatchObject({ type: "ack", seq: 1, epoch: 1 });
    expect(await commit(pa, 2, 0)).toMatchObject({ type: "error", code: "stale_commit", epoch: 1 });
    expect(await pa.next((f) => f.type === "welcome")).toMatchObject({
      conversationId: cid,
      seq: 1,
      body: b64([7, 7]),
    });
    const entry = await pa.next((f) => f.type === "message");
    expect(entry).toMatchObject({ entry: { kind: "commit", epoch: 0, seq: 1 } });
    // A welcome for a device of a non-member is refused and changes nothing.
    expect(
      await commit(th, 3, 1, { welcomes: [{ deviceId: p.patients[1]!.deviceId, body: b64([1]) }] }),
    ).toMatchObject({
      type: "error",
      code: "not_a_member_device",
    });
    const group = await t.call("GET", `/v1/conversations/${cid}/group`, { token: p.patients[0]!.token });
    expect(group.body).toEqual({ epoch: 1, groupInfo: b64([3]) });
    expect(
      await t.call("GET", `/v1/conversations/${cid}/group`, { token: p.patients[1]!.token }),
    ).toMatchObject({
      status: 404,
    });
    // A device that was offline gets its welcome at hello, before the backlog, until it acks it.
    const second = await login(
      t,
      (await t.call<{ login: string }>("GET", "/v1/me", { token: p.patients[0]!.token })).body.login,
    );
    await commit(th, 4, 1, { welcomes: [{ deviceId: second.deviceId, body: b64([8]) }] });
    const later = await open(second.token);
    const kinds = later.frames.map((f) => f.type);
    expect(kinds.indexOf("welcome")).toBeLessThan(kinds.indexOf("message"));
    later.send({ type: "welcome_ack", conversationId: cid });
    await later.request({ type: "ping", id: 5 });
    const again = await open(second.token);
    expect(again.frames.some((f) => f.type === "welcome")).toBe(false);
  });
});
