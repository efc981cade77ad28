import type { CallId, ConversationId, DeviceId, UserId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CallEvent, type CallState, IDLE, inCall, nextCallState } from "./call-state.ts";

const callId = "cal_AAAAAAAAAAAAAAAAAAAAAA" as CallId;
const conversationId = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const them = "usr_BBBBBBBBBBBBBBBBBBBBBB" as UserId;
const theirPhone = "dev_CCCCCCCCCCCCCCCCCCCCCC" as DeviceId;

const dial: CallEvent = { type: "dial", callId, conversationId, media: "video", peer: { userId: them } };
const incoming: CallEvent = {
  type: "incoming",
  callId,
  conversationId,
  media: "audio",
  peer: { userId: them, deviceId: theirPhone },
};
const run = (...events: CallEvent[]) => events.reduce<CallState>(nextCallState, IDLE);

describe("call state machine", () => {
  it("outgoing: ringing them, answered, connected, hung up", () => {
    const out = run(dial);
    expect(out).toMatchObject({ phase: "outgoing", direction: "outgoing", media: "video" });
    const connecting = nextCallState(out, { type: "remote_accept", deviceId: theirPhone });
    expect(connecting).toMatchObject({ phase: "connecting", peer: { userId: them, deviceId: theirPhone } });
    const connected = nextCallState(connecting, { type: "media_connected" });
    expect(connected.phase).toBe("connected");
    expect(nextCallState(connected, { type: "hangup" })).toMatchObject({ phase: "ended", reason: "hangup" });
    expect(nextCallState(connected, { type: "remote_hangup" })).toMatchObject({ reason: "remote_hangup" });
  });

  it("ends with declined, busy, missed, answered elsewhere, failed", () => {
    expect(run(dial, { type: "remote_decline" })).toMatchObject({ phase: "ended", reason: "declined" });
    expect(run(dial, { type: "remote_busy" })).toMatchObject({ phase: "ended", reason: "busy" });
    expect(run(dial, { type: "timeout" })).toMatchObject({ phase: "ended", reason: "missed" });
    expect(run(incoming, { type: "timeout" })).toMatchObject({ reason: "missed" });
    expect(run(incoming, { type: "remote_hangup" })).toMatchObject({ reason: "missed" });
    expect(run(incoming, { type: "decline" })).toMatchObject({ reason: "declined" });
    expect(run(incoming, { type: "answered_elsewhere" })).toMatchObject({ reason: "answered_elsewhere" });
    expect(
      run(incoming, { type: "accept" }, { type: "fail", failure: "fingerprint_mismatch" }),
    ).toMatchObject({
      phase: "ended",
      reason: "failed",
      failure: "fingerprint_mismatch",
    });
    expect(run(incoming, { type: "accept" }, { type: "timeout" })).toMatchObject({
      reason: "failed",
      failure: "connect_timeout",
    });
  });

  it("ignores events that do not apply (same object back)", () => {
    const out = run(dial);
    expect(nextCallState(out, incoming)).toBe(out);
    expect(nextCallState(out, { type: "accept" })).toBe(out);
    expect(nextCallState(IDLE, { type: "hangup" })).toBe(IDLE);
    const ringing = run(incoming);
    expect(nextCallState(ringing, { type: "remote_accept", deviceId: theirPhone })).toBe(ringing);
    const ended = run(dial, { type: "remote_busy" });
    expect(nextCallState(ended, { type: "fail", failure: "network" })).toBe(ended);
    // A new call may start after one ended.
    expect(nextCallState(ended, incoming).phase).toBe("ringing");
  });

  it("never leaves `ended` except by a new call, and every ended state has a reason (property)", () => {
    const events: fc.Arbitrary<CallEvent> = fc.oneof(
      fc.constant(dial),
      fc.constant(incoming),
      fc.constantFrom<CallEvent>(
        { type: "accept" },
        { type: "decline" },
        { type: "hangup" },
        { type: "remote_accept", deviceId: theirPhone },
        { type: "remote_decline" },
        { type: "remote_busy" },
        { type: "remote_hangup" },
        { type: "answered_elsewhere" },
        { type: "timeout" },
        { type: "media_connected" },
        { type: "fail", failure: "ice_failed" },
      ),
    );
    fc.assert(
      fc.property(fc.array(events, { maxLength: 30 }), (list) => {
        let s: CallState = IDLE;
        for (const e of list) {
          const next = nextCallState(s, e);
          if (s.phase === "ended" && next !== s) expect(["dial", "incoming"]).toContain(e.type);
          if (next.phase === "ended") expect(next.reason).toBeDefined();
          if (next.reason === "failed") expect(next.failure).toBeDefined();
          // Connected only ever follows connecting.
          if (next.phase === "connected" && s.phase !== "connected") expect(s.phase).toBe("connecting");
          s = next;
        }
        expect(inCall(s)).toBe(s.phase !== "idle" && s.phase !== "ended");
      }),
    );
  });
});
