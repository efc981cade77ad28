import {
  type ConversationId,
  newCallId,
  newId,
  PushPayloadSchema,
  type SessionResponse,
} from "@hearth/protocol";
import {
  LoopbackPushService,
  type LoopbackSubscription,
  login,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

/**
 * Web Push end to end: a real server, a push service on loopback whose subscription keys the test
 * holds, real sockets. Every push is decrypted (aes128gcm) and its VAPID signature checked.
 */
describe("web push", () => {
  let ps: LoopbackPushService;
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  let therapist: RawSocket;
  let reqId = 1;

  beforeAll(async () => {
    ps = await LoopbackPushService.start();
  });
  afterAll(async () => {
    await ps.stop();
  });
  beforeEach(async () => {
    t = await startTestServer({
      push: { origins: [ps.origin] },
      // Retries wait in the durable schedule; here its backoff is a millisecond.
      scheduler: { backoff: { baseMs: 1, maxMs: 2 } },
    });
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId as ConversationId;
    therapist = await RawSocket.hello(t.wsUrl, p.therapist.token);
  });
  afterEach(async () => {
    await therapist.closeAndWait();
    await t.stop();
  });

  const subscribe = async (who: SessionResponse, sub: LoopbackSubscription, showSender = false) => {
    const r = await t.call("PUT", "/v1/push/subscription", {
      token: who.token,
      body: { endpoint: sub.endpoint, keys: sub.keys, showSender },
    });
    expect(r).toMatchObject({ status: 200, body: { subscribed: true, showSender } });
  };
  const send = async (text: string, conversationId: string = cid) => {
    const body = Buffer.from(text).toString("base64");
    const ack = await therapist.request({
      type: "send",
      id: reqId++,
      conversationId,
      messageId: newId("msg"),
      body,
    });
    expect(ack.type).toBe("ack");
    await t.server.pushIdle();
  };
  const secondDevice = async (who: SessionResponse) => {
    const me = await t.call<{ login: string }>("GET", "/v1/me", { token: who.token });
    return login(t, me.body.login, "tablet");
  };
  const payloads = (sub: LoopbackSubscription) =>
    ps.pushesTo(sub).map((x) => JSON.parse(x.plaintext) as unknown);

  it("serves one VAPID public key, kept in the database; the private key is never logged", async () => {
    const r = await t.call<{ publicKey: string }>("GET", "/v1/push/key", { token: p.patients[0]!.token });
    expect(r.status).toBe(200);
    expect(Buffer.from(r.body.publicKey, "base64url")).toHaveLength(65);
    const again = await t.call<{ publicKey: string }>("GET", "/v1/push/key", { token: p.therapist.token });
    expect(again.body.publicKey).toBe(r.body.publicKey);
    expect(t.logs()).not.toContain(
      JSON.parse((await t.server.storage.auth.getMeta("push.vapid")) ?? "{}").privateKey,
    );
  });

  it("pushes a content-free, encrypted, VAPID-signed push to an offline device, collapsed by topic", async () => {
    const sub = ps.subscribe();
    await subscribe(p.patients[0]!, sub);
    const marker = `CANARY-PUSH-${Date.now()}`;
    await send(marker);
    await send(`${marker}-2`);
    await send(`${marker}-3`);

    const pushes = ps.pushesTo(sub);
    expect(pushes).toHaveLength(3);
    const [first] = pushes;
    const payload = PushPayloadSchema.parse(JSON.parse(first!.plaintext));
    // Only what the service worker needs: no sender, no text, no conversation id.
    expect(Object.keys(payload).sort()).toEqual(["kind", "ref", "v"]);
    for (const x of pushes) {
      // Whole names, not fragments: a two-letter piece such as "Dr" turns up in random base64 (the VAPID key).
      for (const secret of [marker, cid, p.therapist.userId, p.patients[0]!.userId, "Dr Rowan", "Rowan"]) {
        expect(x.plaintext).not.toContain(secret);
        expect(JSON.stringify(x.headers)).not.toContain(secret);
      }
      expect(x.vapid.k).toBe(
        (await t.call<{ publicKey: string }>("GET", "/v1/push/key", { token: p.therapist.token })).body
          .publicKey,
      );
      expect(Number(x.headers.ttl)).toBeGreaterThan(0);
      expect(Number(x.headers.ttl)).toBeLessThanOrEqual(3600);
      expect(x.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      expect(x.headers.topic).toBe(payload.ref);
    }
    // One topic per conversation: the push service keeps one notification for the three.
    expect(ps.mailbox.get(sub.id)?.size).toBe(1);
    expect(ps.failures).toEqual([]);

    // The reference means something only to the device it was sent to, after sign-in.
    const mine = await t.call("GET", `/v1/push/refs/${payload.ref}`, { token: p.patients[0]!.token });
    expect(mine).toEqual({ status: 200, body: { conversationId: cid } });
    const other = await t.call("GET", `/v1/push/refs/${payload.ref}`, { token: p.patients[1]!.token });
    expect(other.status).toBe(404);
  });

  it("rings a closed app: one content-free call push per call, short-lived and urgent, on its own topic", async () => {
    const sub = ps.subscribe();
    await subscribe(p.patients[0]!, sub);
    const laptop = ps.subscribe();
    await subscribe(p.therapist, laptop);
    const callId = newCallId();
    const ring = async () => {
      const ack = await therapist.request({
        type: "call",
        id: reqId++,
        conversationId: cid,
        callId,
        action: "ring",
        media: "video",
      });
      expect(ack.type).toBe("ack");
      await t.server.pushIdle();
    };
    await ring();
    await ring(); // the caller rings again while nobody answered: no second push
    const pushes = ps.pushesTo(sub);
    expect(pushes).toHaveLength(1);
    const payload = PushPayloadSchema.parse(JSON.parse(pushes[0]!.plaintext));
    expect(payload.kind).toBe("call");
    expect(Object.keys(payload).sort()).toEqual(["kind", "ref", "v"]);
    for (const secret of [cid, callId, p.therapist.userId, "video", "Dr Rowan"]) {
      expect(pushes[0]!.plaintext).not.toContain(secret);
      expect(JSON.stringify(pushes[0]!.headers)).not.toContain(secret);
    }
    expect(Number(pushes[0]!.headers.ttl)).toBe(60);
    expect(pushes[0]!.headers.urgency).toBe("high");
    // Not the message push's topic: a waiting message push and a ring do not replace each other.
    await send("after the call");
    expect(ps.mailbox.get(sub.id)?.size).toBe(2);
    // The caller's own devices are not rung.
    expect(ps.pushesTo(laptop)).toEqual([]);
  });

  it("gives each subscription its own reference and topic for the same conversation", async () => {
    const a = ps.subscribe();
    const b = ps.subscribe();
    await subscribe(p.patients[0]!, a);
    const second = await secondDevice(p.patients[0]!);
    await subscribe(second, b);
    await send("hello");
    const [ra] = ps.pushesTo(a);
    const [rb] = ps.pushesTo(b);
    expect(ra?.headers.topic).toBeDefined();
    expect(ra?.headers.topic).not.toBe(rb?.headers.topic);
  });

  it("names the sender by user id only when the device opted in", async () => {
    const sub = ps.subscribe();
    await subscribe(p.patients[0]!, sub, true);
    await send("with sender");
    const [payload] = payloads(sub);
    expect(payload).toEqual({ v: 1, kind: "message", ref: expect.any(String), sender: p.therapist.userId });
    // The encrypted length does not tell whether the sender is named (padding).
    const other = ps.subscribe();
    await subscribe(p.patients[1]!, other, false);
    await send("without", p.patients[1]!.conversationId as string);
    expect(ps.pushesTo(other)[0]?.body.length).toBe(ps.pushesTo(sub)[0]?.body.length);
  });

  it("sends nothing to a device with a live socket, nor to the sender", async () => {
    const live = ps.subscribe();
    const away = ps.subscribe();
    const own = ps.subscribe();
    await subscribe(p.patients[0]!, live);
    const tablet = await secondDevice(p.patients[0]!);
    await subscribe(tablet, away);
    await subscribe(p.therapist, own);
    const socket = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
    try {
      await send("while online");
      expect(ps.pushesTo(live)).toHaveLength(0);
      expect(ps.pushesTo(away)).toHaveLength(1);
      expect(ps.pushesTo(own)).toHaveLength(0);
    } finally {
      await socket.closeAndWait();
    }
  });

  it("drops a subscription the push service answers 410 (or 404) for", async () => {
    const sub = ps.subscribe();
    await subscribe(p.patients[0]!, sub);
    ps.answer(sub, 410);
    await send("gone");
    expect(ps.pushesTo(sub)).toHaveLength(1);
    const status = await t.call("GET", "/v1/push/subscription", { token: p.patients[0]!.token });
    expect(status.body).toEqual({ subscribed: false, showSender: false });
  });

  it("retries 429, 5xx and network failures from the durable schedule until the push is accepted", async () => {
    const sub = ps.subscribe();
    await subscribe(p.patients[0]!, sub);
    ps.answer(sub, 503, 429, 500);
    await send("retry me");
    await expect
      .poll(async () => {
        await t.server.scheduler.runDue();
        return ps.mailbox.get(sub.id)?.size ?? 0;
      })
      .toBe(1);
    expect(ps.pushesTo(sub)).toHaveLength(4);
    // Every attempt is freshly encrypted, and says the same.
    expect(new Set(ps.pushesTo(sub).map((x) => x.body.toString("hex"))).size).toBe(4);
    expect(new Set(ps.pushesTo(sub).map((x) => x.plaintext)).size).toBe(1);
    const status = await t.call("GET", "/v1/push/subscription", { token: p.patients[0]!.token });
    expect(status.body).toMatchObject({ subscribed: true });
    const stats = await t.server.scheduler.stats();
    expect(stats.failed).toEqual({});
    expect(stats.pending["push.retry"] ?? 0).toBe(0);
  });

  it("gives a retry up once the device has subscribed anew elsewhere or is gone", async () => {
    // Only this test runs the schedule (its own loop is stopped), so the retry waits for it.
    await t.server.scheduler.stop();
    const sub = ps.subscribe();
    await subscribe(p.patients[0]!, sub);
    ps.answer(sub, 503);
    await send("busy");
    expect((await t.server.scheduler.stats()).pending["push.retry"]).toBe(1);
    await t.call("DELETE", "/v1/push/subscription", { token: p.patients[0]!.token });
    await t.server.scheduler.runDue();
    expect(ps.pushesTo(sub)).toHaveLength(1);
  });

  it("forgets the subscription on unsubscribe, sign-out and revocation", async () => {
    const patient = p.patients[0]!;
    await subscribe(patient, ps.subscribe());
    expect((await t.call("DELETE", "/v1/push/subscription", { token: patient.token })).status).toBe(204);
    expect(await t.server.storage.push.getSubscription(patient.deviceId)).toBeUndefined();

    await subscribe(patient, ps.subscribe());
    expect((await t.call("POST", "/v1/auth/logout", { token: patient.token })).status).toBe(204);
    expect(await t.server.storage.push.getSubscription(patient.deviceId)).toBeUndefined();

    const tablet = await secondDevice(p.patients[1]!);
    await subscribe(tablet, ps.subscribe());
    const r = await t.call("DELETE", `/v1/devices/${tablet.deviceId}`, { token: p.patients[1]!.token });
    expect(r.status).toBe(204);
    expect(await t.server.storage.push.getSubscription(tablet.deviceId)).toBeUndefined();
  });

  it("refuses endpoints outside the configured push services", async () => {
    const sub = ps.subscribe();
    for (const endpoint of [
      "http://127.0.0.1:1/push/x",
      "http://169.254.169.254/latest/meta-data",
      `${ps.origin.replace("http:", "https:")}/push/x`,
      `http://user:pw@${ps.origin.slice("http://".length)}/push/x`,
    ]) {
      const r = await t.call("PUT", "/v1/push/subscription", {
        token: p.patients[0]!.token,
        body: { endpoint, keys: sub.keys },
      });
      expect(r, endpoint).toMatchObject({
        status: 400,
        body: { code: "bad_request", path: "body.endpoint" },
      });
    }
  });
});
