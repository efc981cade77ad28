import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { promisify } from "node:util";
import {
  type ConversationId,
  newCallId,
  type ServerFrame,
  type SessionResponse,
  type TurnCredentialsResponse,
} from "@hearth/protocol";
import {
  describeWithService,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Coturn, hasTurnserver } from "../../../test/support/coturn.ts";
import { turnUserHash } from "../src/modules/calls/turn-credentials.ts";

const run = promisify(execFile);
const PASSWORD = "correct horse battery staple";
const SIGNAL = Buffer.from("an MLS PrivateMessage, opaque to the server").toString("base64");
const turnInstalled = hasTurnserver();

/** A second device of a user: signs in with the user's login (from `/v1/me`). */
async function secondDevice(t: TestServer, s: SessionResponse, name: string): Promise<SessionResponse> {
  const me = await t.call<{ login: string }>("GET", "/v1/me", { token: s.token });
  const r = await t.call<SessionResponse>("POST", "/v1/auth/login", {
    body: { login: me.body.login, password: PASSWORD, deviceName: name },
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body;
}

const isCall = (f: ServerFrame): f is Extract<ServerFrame, { type: "call" }> => f.type === "call";

describeWithService(
  "calls: TURN credentials accepted by a real coturn",
  turnInstalled,
  "turnserver (coturn, installed by .ci/run)",
  () => {
    let turn: Coturn;
    let t: TestServer;
    let p: Practice;

    beforeAll(async () => {
      turn = await Coturn.start();
      t = await startTestServer({ turn: { urls: [turn.url], secret: turn.secret, ttlSeconds: 600 } });
      p = await makePractice(t, 1);
    });
    afterAll(async () => {
      await t?.stop();
      await turn?.stop();
    });

    it("issues coturn REST credentials that allocate a relay, and whose username names no user", async () => {
      const r = await t.call<TurnCredentialsResponse>("GET", "/v1/calls/turn", {
        token: p.patients[0]!.token,
      });
      expect(r.status).toBe(200);
      expect(r.body.urls).toEqual([turn.url]);
      const [expiry, hash] = r.body.username.split(":");
      expect(Number(expiry)).toBeGreaterThan(Date.now() / 1000);
      expect(Number(expiry)).toBeLessThanOrEqual(Date.now() / 1000 + 601);
      expect(hash).toBe(turnUserHash(turn.secret, p.patients[0]!.userId));
      expect(r.body.username).not.toContain(p.patients[0]!.userId);
      expect(r.body.credential).toBe(
        createHmac("sha1", turn.secret).update(r.body.username).digest("base64"),
      );
      // coturn's own client allocates a relay with them ...
      const ok = await run("turnutils_uclient", [
        "-y",
        "-n",
        "1",
        "-m",
        "1",
        "-u",
        r.body.username,
        "-w",
        r.body.credential,
        "-p",
        String(turn.port),
        "127.0.0.1",
      ]);
      expect(ok.stdout).toContain("Total lost packets 0");
      // ... and is refused with a credential that is off by one character.
      const bad = `${r.body.credential.startsWith("A") ? "B" : "A"}${r.body.credential.slice(1)}`;
      const refused = await run("turnutils_uclient", [
        "-y",
        "-n",
        "1",
        "-m",
        "1",
        "-u",
        r.body.username,
        "-w",
        bad,
        "-p",
        String(turn.port),
        "127.0.0.1",
      ]).then(
        (o) => o.stdout,
        (e: { stdout?: string }) => e.stdout ?? "",
      );
      expect(refused).toContain("Cannot complete Allocation");
    });
  },
);

describe("calls: relay-only preference and signaling over the WebSocket", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;

  beforeAll(async () => {
    t = await startTestServer({ turn: { urls: ["turn:127.0.0.1:3478"], secret: "s3cret-for-tests" } });
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId! as ConversationId;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("relay only is on by default for patients, off for therapists, and each can change it", async () => {
    const patient = p.patients[0]!.token;
    const therapist = p.therapist.token;
    expect((await t.call("GET", "/v1/calls/settings", { token: patient })).body).toEqual({ relayOnly: true });
    expect((await t.call("GET", "/v1/calls/settings", { token: therapist })).body).toEqual({
      relayOnly: false,
    });
    const changed = await t.call("PUT", "/v1/calls/settings", { token: patient, body: { relayOnly: false } });
    expect(changed).toMatchObject({ status: 200, body: { relayOnly: false } });
    const creds = await t.call<TurnCredentialsResponse>("GET", "/v1/calls/turn", { token: patient });
    expect(creds.body.relayOnly).toBe(false);
    await t.call("PUT", "/v1/calls/settings", { token: patient, body: { relayOnly: true } });
    expect((await t.call("GET", "/v1/calls/settings", { token: patient })).body).toEqual({ relayOnly: true });
  });

  it("routes ring to every device of the other side, an answer to the callee's other devices, a signal to one device", async () => {
    const patient = p.patients[0]!;
    const phone = await secondDevice(t, patient, "phone");
    const tablet = await secondDevice(t, patient, "tablet");
    const caller = await RawSocket.hello(t.wsUrl, p.therapist.token);
    const callerLaptop = await RawSocket.hello(t.wsUrl, (await secondDevice(t, p.therapist, "laptop")).token);
    const devA = await RawSocket.hello(t.wsUrl, patient.token);
    const devB = await RawSocket.hello(t.wsUrl, phone.token);
    const devC = await RawSocket.hello(t.wsUrl, tablet.token);
    const outsider = await RawSocket.hello(t.wsUrl, p.patients[1]!.token);
    try {
      const callId = newCallId();
      const ack = await caller.request({
        type: "call",
        id: 1,
        conversationId: cid,
        callId,
        action: "ring",
        media: "video",
      });
      expect(ack).toMatchObject({ type: "ack", id: 1 });
      for (const d of [devA, devB, devC]) {
        const ring = await d.next(isCall);
        expect(ring).toMatchObject({
          type: "call",
          action: "ring",
          callId,
          media: "video",
          fromUserId: p.therapist.userId,
          fromDeviceId: p.therapist.deviceId,
        });
      }
      // The callee's phone accepts: the caller and the callee's other devices hear it, not the phone.
      expect(
        await devB.request({ type: "call", id: 2, conversationId: cid, callId, action: "accept" }),
      ).toMatchObject({
        type: "ack",
      });
      for (const d of [caller, devA, devC, callerLaptop]) {
        expect(await d.next(isCall)).toMatchObject({
          action: "accept",
          callId,
          fromDeviceId: phone.deviceId,
        });
      }
      // A signal reaches the one device it names.
      const sig = await caller.request({
        type: "call",
        id: 3,
        conversationId: cid,
        callId,
        action: "signal",
        toDeviceId: phone.deviceId,
        body: SIGNAL,
      });
      expect(sig).toMatchObject({ type: "ack", id: 3 });
      expect(await devB.next(isCall)).toMatchObject({ action: "signal", body: SIGNAL });
      await caller.request({ type: "call", id: 4, conversationId: cid, callId, action: "hangup" });
      expect(await devB.next(isCall)).toMatchObject({ action: "hangup" });
      // Nobody else got the signal; the caller's own laptop never rang; the outsider heard nothing.
      for (const d of [devA, devC]) {
        expect(await d.next(isCall)).toMatchObject({ action: "hangup" });
        expect(d.frames.filter(isCall)).toEqual([]);
      }
      expect(callerLaptop.frames.filter((f) => isCall(f) && f.action !== "hangup")).toEqual([]);
      expect(outsider.frames.filter(isCall)).toEqual([]);
    } finally {
      for (const s of [caller, callerLaptop, devA, devB, devC, outsider]) await s.closeAndWait();
    }
  });

  it("signals follow the conversation's devices: one signed in during a call is reached, one signed out is refused at once", async () => {
    const patient = p.patients[0]!;
    const caller = await RawSocket.hello(t.wsUrl, p.therapist.token);
    const callId = newCallId();
    const signal = (id: number, toDeviceId: string) =>
      caller.request({
        type: "call",
        id,
        conversationId: cid,
        callId,
        action: "signal",
        toDeviceId,
        body: SIGNAL,
      });
    try {
      // The member devices are read for the first signal (and kept for the next ones).
      expect(await signal(1, patient.deviceId)).toMatchObject({ type: "ack", id: 1 });
      // A device that signed in since (before it uploaded any keys) is still a member's device.
      const laptop = await secondDevice(t, patient, "laptop");
      expect(await signal(2, laptop.deviceId)).toMatchObject({ type: "ack", id: 2 });
      expect(await signal(3, laptop.deviceId)).toMatchObject({ type: "ack", id: 3 });
      // Signed out from the patient's first device: no longer a target, with no wait.
      const out = await t.call("DELETE", `/v1/devices/${laptop.deviceId}`, { token: patient.token });
      expect(out.status).toBe(204);
      expect(await signal(4, laptop.deviceId)).toMatchObject({
        type: "error",
        id: 4,
        code: "not_found",
        path: "toDeviceId",
      });
      expect(await signal(5, patient.deviceId)).toMatchObject({ type: "ack", id: 5 });
    } finally {
      await caller.closeAndWait();
    }
  });

  it("relays one device's signals in the order it sent them, even while the devices are read anew", async () => {
    const patient = p.patients[0]!;
    const caller = await RawSocket.hello(t.wsUrl, p.therapist.token);
    // A device the cached list does not know yet: the first signals read the members' devices again.
    const tablet = await secondDevice(t, patient, "tablet for order");
    const receiver = await RawSocket.hello(t.wsUrl, tablet.token);
    const callId = newCallId();
    const bodies = Array.from({ length: 30 }, (_, i) => Buffer.from(`signal ${i}`).toString("base64"));
    try {
      // Sent back to back without waiting (an offer, then its candidates, as a browser does).
      for (const [i, body] of bodies.entries())
        caller.send({
          type: "call",
          id: 100 + i,
          conversationId: cid,
          callId,
          action: "signal",
          toDeviceId: tablet.deviceId,
          body,
        });
      const acks = await Promise.all(bodies.map((_, i) => caller.next((f) => "id" in f && f.id === 100 + i)));
      expect(acks.map((a) => a.type)).toEqual(bodies.map(() => "ack"));
      const got: unknown[] = [];
      for (const _ of bodies) got.push(((await receiver.next(isCall)) as { body?: string }).body);
      expect(got).toEqual(bodies);
    } finally {
      await caller.closeAndWait();
      await receiver.closeAndWait();
    }
  });

  it("refuses a signal to a device outside the conversation, to oneself, and frames in someone else's conversation", async () => {
    const caller = await RawSocket.hello(t.wsUrl, p.therapist.token);
    const outsider = await RawSocket.hello(t.wsUrl, p.patients[1]!.token);
    try {
      const callId = newCallId();
      const base = { type: "call", conversationId: cid, callId, action: "signal", body: SIGNAL };
      expect(await caller.request({ ...base, id: 1, toDeviceId: p.patients[1]!.deviceId })).toMatchObject({
        type: "error",
        code: "not_found",
        path: "toDeviceId",
      });
      expect(await caller.request({ ...base, id: 2, toDeviceId: p.therapist.deviceId })).toMatchObject({
        type: "error",
        code: "not_found",
      });
      expect(
        await outsider.request({
          type: "call",
          id: 3,
          conversationId: cid,
          callId,
          action: "ring",
          media: "audio",
        }),
      ).toMatchObject({ type: "error", code: "not_found", path: "conversationId" });
      expect(
        await caller.request({ type: "call", id: 4, conversationId: cid, callId, action: "ring" }),
      ).toMatchObject({ type: "error", code: "invalid_frame", path: "media" });
    } finally {
      await caller.closeAndWait();
      await outsider.closeAndWait();
    }
  });
});
