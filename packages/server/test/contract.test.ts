import {
  login,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The places where behaviour and docs/protocol.md once parted: each holds now. */
describe("the server keeps the documented contract", () => {
  let t: TestServer;
  let p: Practice;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
  });
  afterAll(async () => {
    await t.stop();
  });

  it("DELETE of another user's transfer mailbox is not_found and deletes nothing", async () => {
    const pa = p.patients[0]!;
    const open = await t.call<{ transferId: string }>("POST", "/v1/transfers", { token: pa.token, body: {} });
    const path = `/v1/transfers/${open.body.transferId}`;
    expect(await t.call("DELETE", path, { token: p.therapist.token })).toMatchObject({
      status: 404,
      body: { code: "not_found" },
    });
    expect(await t.call("GET", path, { token: pa.token })).toMatchObject({
      status: 200,
      body: { body: null },
    });
    expect((await t.call("DELETE", path, { token: pa.token })).status).toBe(204);
    // Closed: a second DELETE finds nothing.
    expect(await t.call("DELETE", path, { token: pa.token })).toMatchObject({
      status: 404,
      body: { code: "not_found" },
    });
  });

  it("a hello with a bad token gets token_invalid echoing its request id, then 4001", async () => {
    const s = await RawSocket.open(t.wsUrl);
    s.send({ type: "hello", id: 42, token: "y".repeat(43), cursors: {} });
    expect(await s.next((f) => f.type === "error")).toMatchObject({ id: 42, code: "token_invalid" });
    await new Promise<void>((r) => (s.closed ? r() : s.ws.once("close", () => r())));
    expect(s.closed?.code).toBe(4001);
  });

  it("a ping before hello is unauthenticated, not a pong", async () => {
    const s = await RawSocket.open(t.wsUrl);
    s.send({ type: "ping", id: 7 });
    expect(await s.next((f) => "id" in f && f.id === 7)).toMatchObject({
      type: "error",
      id: 7,
      code: "unauthenticated",
    });
    // After hello, pings are answered.
    s.send({ type: "hello", id: 8, token: p.therapist.token, cursors: {} });
    await s.next((f) => f.type === "synced");
    expect(await s.request({ type: "ping", id: 9 })).toEqual({ type: "pong", id: 9 });
    await s.closeAndWait();
  });

  it("binary frames are refused with invalid_frame (the protocol speaks text), and the socket lives", async () => {
    const s = await RawSocket.hello(t.wsUrl, p.therapist.token);
    s.ws.send(Buffer.from(JSON.stringify({ type: "ping", id: 11 })), { binary: true });
    expect(await s.next((f) => "id" in f && f.id === 11)).toMatchObject({
      type: "error",
      id: 11,
      code: "invalid_frame",
    });
    expect(await s.request({ type: "ping", id: 12 })).toEqual({ type: "pong", id: 12 });
    await s.closeAndWait();
  });

  it("authenticated JSON answers carry Cache-Control: no-store", async () => {
    const second = await login(
      t,
      (await t.call<{ login: string }>("GET", "/v1/me", { token: p.therapist.token })).body.login,
    );
    for (const path of ["/v1/me", "/v1/devices", "/v1/conversations", "/v1/keys/packages/count"]) {
      const res = await fetch(t.url + path, { headers: { authorization: `Bearer ${second.token}` } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
  });
});
