import type {
  CallId,
  ConversationId,
  DeviceId,
  ServerCallFrame,
  ServerFrame,
  TurnCredentialsResponse,
  UserId,
} from "@hearth/protocol";
import { bytesToBase64 } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { FakePeerConnection, fingerprint, sdpWithFingerprint } from "../testing/fake-peer-connection.ts";
import { ManualClock } from "../testing/manual-clock.ts";
import { encodeCallSignal } from "./call-signal.ts";
import { Calls, type CallsDeps } from "./calls.ts";
import type { MediaStreamLike } from "./peer-link.ts";

/*
 * The call logic of one device, driven frame by frame. The browser's WebRTC is replaced by a
 * scripted peer connection (WebRTC is the platform's, not ours); the MLS cipher by a pass-through
 * that checks the claimed sender, as MLS does (MLS itself is exercised in the browser test).
 */

const cid = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const me = {
  userId: "usr_MEMEMEMEMEMEMEMEMEMEME" as UserId,
  deviceId: "dev_MEMEMEMEMEMEMEMEMEMEME" as DeviceId,
};
const them = {
  userId: "usr_THEMTHEMTHEMTHEMTHEMTH" as UserId,
  deviceId: "dev_THEMTHEMTHEMTHEMTHEMTH" as DeviceId,
};
const myOther = "dev_OTHEROTHEROTHEROTHERO" as DeviceId;
const FP_THEM = fingerprint("BB");
const sdp = sdpWithFingerprint;

function setup() {
  const clock = new ManualClock();
  const sent: Record<string, unknown>[] = [];
  const pcs: FakePeerConnection[] = [];
  const stopped: string[] = [];
  const records: { kind: "call"; text: string; call: unknown }[] = [];
  const stream: MediaStreamLike = {
    getTracks: () => [
      { kind: "audio", enabled: true, stop: () => stopped.push("audio") },
      { kind: "video", enabled: true, stop: () => stopped.push("video") },
    ],
  };
  const deps: CallsDeps = {
    clock,
    request: async (frame) => {
      sent.push(frame);
      return { type: "ack", id: 1 } as ServerFrame;
    },
    me: () => me,
    record: async (_cid, content) => {
      records.push(content);
    },
    cipher: {
      seal: async (_c, plaintext) => ({ ok: true, value: plaintext }),
      open: async (_c, bytes, from) =>
        from.deviceId !== myOther && from.userId !== me.userId
          ? { ok: true, value: bytes }
          : { ok: false, reason: "signal_unverified" },
    },
    turn: async (): Promise<TurnCredentialsResponse> => ({
      urls: ["turn:127.0.0.1:3478"],
      username: "1:x",
      credential: "c",
      expiresAt: new Date().toISOString(),
      ttlSeconds: 600,
      relayOnly: true,
    }),
    rtc: {
      createPeerConnection: (config) => {
        const pc = new FakePeerConnection(config);
        pcs.push(pc);
        return pc;
      },
      getUserMedia: async () => stream,
    },
  };
  const calls = new Calls(deps);
  const frame = (f: Partial<ServerCallFrame> & { action: ServerCallFrame["action"]; callId: CallId }): void =>
    calls.receive({
      type: "call",
      conversationId: cid,
      fromUserId: them.userId,
      fromDeviceId: them.deviceId,
      ...f,
    } as ServerCallFrame);
  const signal = (
    callId: CallId,
    s: Parameters<typeof encodeCallSignal>[1],
    from: { fromUserId: UserId; fromDeviceId: DeviceId } = {
      fromUserId: them.userId,
      fromDeviceId: them.deviceId,
    },
  ) => frame({ action: "signal", callId, body: bytesToBase64(encodeCallSignal(callId, s)), ...from });
  const flush = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { clock, sent, pcs, stopped, records, calls, frame, signal, flush };
}

const ringFrom = "cal_RINGRINGRINGRINGRINGRI" as CallId;

describe("Calls (one device)", () => {
  it("callee: rings, answers, sends its answer inside MLS, and connects once DTLS presents the fingerprint MLS carried", async () => {
    const { calls, frame, signal, flush, sent, pcs, stopped } = setup();
    frame({ action: "ring", callId: ringFrom, media: "video" });
    expect(calls.state).toMatchObject({ phase: "ringing", media: "video", peer: them });
    await calls.accept();
    expect(sent.at(-1)).toMatchObject({
      type: "call",
      action: "accept",
      callId: ringFrom,
      conversationId: cid,
    });
    // The link to the caller's device opens with its offer.
    expect(pcs).toHaveLength(0);
    signal(ringFrom, { kind: "offer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] });
    await flush();
    expect(pcs[0]!.config.iceTransportPolicy).toBe("relay");
    expect(pcs[0]!.config.iceServers).toEqual([
      { urls: ["turn:127.0.0.1:3478"], username: "1:x", credential: "c" },
    ]);
    const answer = sent.find((f) => f.action === "signal");
    expect(answer).toMatchObject({ toDeviceId: them.deviceId, callId: ringFrom });
    pcs[0]!.up();
    await flush();
    expect(calls.state.phase).toBe("connected");
    await calls.hangup();
    expect(calls.state).toMatchObject({ phase: "ended", reason: "hangup" });
    expect(pcs[0]!.closed).toBe(true);
    expect(stopped.sort()).toEqual(["audio", "video"]);
  });

  it("fails closed when the certificate DTLS presents is not the one MLS carried", async () => {
    const { calls, frame, signal, flush, sent, pcs } = setup();
    frame({ action: "ring", callId: ringFrom, media: "audio" });
    await calls.accept();
    signal(ringFrom, { kind: "offer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] });
    await flush();
    pcs[0]!.presented = `${"CC:".repeat(31)}CC`; // someone in the middle
    pcs[0]!.up();
    await flush();
    expect(calls.state).toMatchObject({ phase: "ended", reason: "failed", failure: "fingerprint_mismatch" });
    expect(sent.at(-1)).toMatchObject({ action: "hangup", callId: ringFrom });
    expect(pcs[0]!.closed).toBe(true);
  });

  it("fails closed when the SDP's fingerprint is not the one listed beside it", async () => {
    const { calls, frame, signal, flush } = setup();
    const events: string[] = [];
    calls.on("state", (e) => events.push(e.message ?? ""));
    frame({ action: "ring", callId: ringFrom, media: "audio" });
    await calls.accept();
    signal(ringFrom, {
      kind: "offer",
      sdp: sdp(`${"DD:".repeat(31)}DD`),
      fingerprints: [`sha-256 ${FP_THEM}`],
    });
    await flush();
    expect(calls.state).toMatchObject({ phase: "ended", failure: "fingerprint_mismatch" });
    expect(events.at(-1)).toContain("security keys did not match");
  });

  it("a signal that MLS does not attribute to the device that answered is ignored or fails closed", async () => {
    const { calls, frame, flush } = setup();
    frame({ action: "ring", callId: ringFrom, media: "audio" });
    await calls.accept();
    // From another device than the caller's: ignored.
    frame({ action: "signal", callId: ringFrom, fromDeviceId: myOther, body: "AAAA" });
    await flush();
    expect(calls.state.phase).toBe("connecting");
    // From the caller's device but not decodable as a call signal: fails.
    frame({ action: "signal", callId: ringFrom, body: "AAAA" });
    await flush();
    expect(calls.state).toMatchObject({ phase: "ended", failure: "signal_unverified" });
  });

  it("caller: rings, offers to the device that accepted, ends as busy, declined or missed", async () => {
    const { calls, frame, flush, sent, clock, pcs } = setup();
    await calls.start(cid, "video", them.userId);
    const callId = calls.state.callId!;
    expect(sent[0]).toMatchObject({ action: "ring", media: "video", callId });
    frame({ action: "accept", callId });
    await flush();
    expect(calls.state).toMatchObject({ phase: "connecting", peer: them });
    expect(sent.at(-1)).toMatchObject({ action: "signal", toDeviceId: them.deviceId });
    await calls.hangup();
    expect(pcs[0]!.closed).toBe(true);

    await calls.start(cid, "audio", them.userId);
    frame({ action: "busy", callId: calls.state.callId! });
    expect(calls.state).toMatchObject({ phase: "ended", reason: "busy" });

    await calls.start(cid, "audio", them.userId);
    frame({ action: "decline", callId: calls.state.callId! });
    expect(calls.state).toMatchObject({ phase: "ended", reason: "declined" });

    await calls.start(cid, "audio", them.userId);
    const unanswered = calls.state.callId!;
    clock.advance(45_000);
    await flush();
    expect(calls.state).toMatchObject({ phase: "ended", reason: "missed" });
    expect(sent.at(-1)).toMatchObject({ action: "hangup", callId: unanswered });
  });

  it("callee: another of my devices answering stops the ringing; a second call gets busy", async () => {
    const { calls, frame, sent } = setup();
    frame({ action: "ring", callId: ringFrom, media: "audio" });
    const second = "cal_SECONDSECONDSECONDSECO" as CallId;
    frame({ action: "ring", callId: second, media: "audio" });
    await Promise.resolve();
    expect(sent.at(-1)).toMatchObject({ action: "busy", callId: second });
    expect(calls.state.callId).toBe(ringFrom);
    frame({ action: "accept", callId: ringFrom, fromUserId: me.userId, fromDeviceId: myOther });
    expect(calls.state).toMatchObject({ phase: "ended", reason: "answered_elsewhere" });
  });
});

/** Two more members of a group: one device id sorts after ours, one before. */
const late = {
  fromUserId: "usr_LATELATELATELATELATELA" as UserId,
  fromDeviceId: "dev_ZZLATELATELATELATELATE" as DeviceId,
};
const early = {
  fromUserId: "usr_EARLYEARLYEARLYEARLYEA" as UserId,
  fromDeviceId: "dev_AAEARLYEARLYEARLYEARLY" as DeviceId,
};

describe("Calls (rings are live only)", () => {
  it("the caller rings again while nobody answered; a device done with that call does not ring again", async () => {
    const caller = setup();
    await caller.calls.start(cid, "audio", them.userId);
    const callId = caller.calls.state.callId!;
    caller.clock.advance(10_000);
    caller.clock.advance(10_000);
    expect(caller.sent.filter((f) => f.action === "ring" && f.callId === callId)).toHaveLength(3);
    caller.frame({ action: "accept", callId });
    caller.clock.advance(10_000);
    expect(caller.sent.filter((f) => f.action === "ring")).toHaveLength(3);

    const callee = setup();
    callee.frame({ action: "ring", callId: ringFrom, media: "audio" });
    callee.frame({ action: "ring", callId: ringFrom, media: "audio" });
    expect(callee.sent).toEqual([]); // ringing already: no busy for the same call
    await callee.calls.decline();
    callee.frame({ action: "ring", callId: ringFrom, media: "audio" });
    expect(callee.calls.state).toMatchObject({ phase: "ended", reason: "declined" });
  });
});

describe("Calls (a group: one peer connection per device)", () => {
  it("caller: offers to each device that accepts; one leaving keeps the others; the last leaving ends it", async () => {
    const { calls, frame, signal, flush, sent, pcs } = setup();
    await calls.start(cid, "video", [them.userId, late.fromUserId]);
    const callId = calls.state.callId!;
    frame({ action: "accept", callId });
    frame({ action: "accept", callId, ...late });
    await flush();
    const offers = sent.filter((f) => f.action === "signal").map((f) => f.toDeviceId);
    expect(new Set(offers)).toEqual(new Set([them.deviceId, late.fromDeviceId]));
    expect(pcs).toHaveLength(2);
    const answer = { kind: "answer" as const, sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] };
    signal(callId, answer);
    signal(callId, answer, late);
    await flush();
    for (const pc of pcs) pc.up();
    await flush();
    expect(calls.state.phase).toBe("connected");
    expect(calls.participants.map((p) => p.connected)).toEqual([true, true]);

    frame({ action: "hangup", callId });
    expect(calls.state.phase).toBe("connected");
    expect(calls.participants.map((p) => p.deviceId)).toEqual([late.fromDeviceId]);
    expect(pcs.map((pc) => pc.closed)).toEqual([true, false]);
    frame({ action: "hangup", callId, ...late });
    expect(calls.state).toMatchObject({ phase: "ended", reason: "remote_hangup" });
    expect(pcs[1]!.closed).toBe(true);
  });

  it("caller: one member declining keeps ringing the other; all declining ends it", async () => {
    const { calls, frame } = setup();
    await calls.start(cid, "audio", [them.userId, late.fromUserId]);
    const callId = calls.state.callId!;
    frame({ action: "decline", callId });
    expect(calls.state.phase).toBe("outgoing");
    frame({ action: "busy", callId, ...late });
    expect(calls.state).toMatchObject({ phase: "ended", reason: "busy" });
  });

  it("callee: between two devices that accepted, the smaller device id offers (never both)", async () => {
    // `late` accepted before us and sorts after us: we offer to it once we accepted.
    const a = setup();
    a.frame({ action: "ring", callId: ringFrom, media: "audio" });
    a.frame({ action: "accept", callId: ringFrom, ...late });
    await a.calls.accept();
    await a.flush();
    expect(a.sent.filter((f) => f.action === "signal").map((f) => f.toDeviceId)).toEqual([late.fromDeviceId]);

    // `early` sorts before us: we wait for its offer and answer it; a ringing member's frames are no offer.
    const b = setup();
    b.frame({ action: "ring", callId: ringFrom, media: "audio" });
    await b.calls.accept();
    b.frame({ action: "accept", callId: ringFrom, ...early });
    await b.flush();
    expect(b.sent.filter((f) => f.action === "signal")).toEqual([]);
    b.signal(ringFrom, { kind: "offer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] }, early);
    await b.flush();
    expect(b.sent.filter((f) => f.action === "signal").map((f) => f.toDeviceId)).toEqual([
      early.fromDeviceId,
    ]);
    // A device that never rang nor accepted cannot open a link by sending an offer.
    b.signal(ringFrom, { kind: "offer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] }, late);
    await b.flush();
    expect(b.pcs).toHaveLength(1);
  });

  it("a tampered fingerprint on one link stops the whole call", async () => {
    const { calls, frame, signal, flush, pcs } = setup();
    frame({ action: "ring", callId: ringFrom, media: "audio" });
    frame({ action: "accept", callId: ringFrom, ...early });
    await calls.accept();
    signal(ringFrom, { kind: "offer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] });
    signal(ringFrom, { kind: "offer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] }, early);
    await flush();
    pcs[0]!.up();
    await flush();
    expect(calls.state.phase).toBe("connected");
    pcs[1]!.presented = `${"CC:".repeat(31)}CC`;
    pcs[1]!.up();
    await flush();
    expect(calls.state).toMatchObject({ phase: "ended", failure: "fingerprint_mismatch" });
    expect(pcs.every((pc) => pc.closed)).toBe(true);
  });

  it("refuses a call larger than a mesh carries", async () => {
    const { calls } = setup();
    const users = ["A", "B", "C", "D", "E", "F"].map((c) => `usr_${c.repeat(22)}` as UserId);
    await expect(calls.start(cid, "audio", users)).rejects.toThrow(/at most 6/);
    expect(calls.state.phase).toBe("idle");
  });
});

describe("Calls (the call's trace in the conversation)", () => {
  it("the caller's device records a call's length, or that it was missed, declined or busy; a callee records nothing", async () => {
    const { calls, frame, signal, flush, pcs, clock, records } = setup();
    await calls.start(cid, "video", them.userId);
    const callId = calls.state.callId!;
    frame({ action: "accept", callId });
    await flush();
    signal(callId, { kind: "answer", sdp: sdp(FP_THEM), fingerprints: [`sha-256 ${FP_THEM}`] });
    await flush();
    pcs[0]!.up();
    await flush();
    clock.advance(12 * 60_000 + 20_000);
    frame({ action: "hangup", callId });
    expect(records).toEqual([
      {
        kind: "call",
        text: "Video call · 12 min",
        call: { callId, media: "video", outcome: "ended", durationSeconds: 740 },
      },
    ]);

    await calls.start(cid, "audio", them.userId);
    clock.advance(45_000);
    await calls.start(cid, "audio", them.userId);
    frame({ action: "decline", callId: calls.state.callId! });
    await calls.start(cid, "audio", them.userId);
    frame({ action: "busy", callId: calls.state.callId! });
    await calls.start(cid, "audio", them.userId);
    await calls.hangup(); // taken back before anyone answered: missed, for them
    expect(records.slice(1).map((r) => r.text)).toEqual([
      "Missed voice call",
      "Voice call declined",
      "Voice call: busy elsewhere",
      "Missed voice call",
    ]);

    frame({ action: "ring", callId: ringFrom, media: "audio" });
    await calls.decline();
    expect(records).toHaveLength(5);
  });
});
