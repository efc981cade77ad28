import { type CallId, newCallId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonCodec } from "../payload-codec.ts";
import { type CallRecord, callRecordFor, callRecordText, parseCallRecord } from "./call-record.ts";
import type { CallState } from "./call-state.ts";

const ctx = {
  conversationId: "cnv_AAAAAAAAAAAAAAAAAAAAAA",
  messageId: "msg_AAAAAAAAAAAAAAAAAAAAAA",
} as Parameters<typeof jsonCodec.decode>[1];

const record = fc.oneof(
  fc.record({
    callId: fc.constant(null).map(() => newCallId()),
    media: fc.constantFrom("audio" as const, "video" as const),
    outcome: fc.constantFrom("missed" as const, "declined" as const, "busy" as const, "failed" as const),
  }),
  fc.record({
    callId: fc.constant(null).map(() => newCallId()),
    media: fc.constantFrom("audio" as const, "video" as const),
    outcome: fc.constant("ended" as const),
    durationSeconds: fc.integer({ min: 0, max: 24 * 3600 }),
  }),
);

describe("call records", () => {
  it("round-trip through the payload format, with their line (property)", async () => {
    await fc.assert(
      fc.asyncProperty(record, async (call: CallRecord) => {
        const bytes = await jsonCodec.encode({ kind: "call", text: callRecordText(call), call }, ctx);
        expect(await jsonCodec.decode(bytes, ctx)).toEqual({
          ok: true,
          content: { kind: "call", text: callRecordText(call), call },
        });
      }),
    );
  });

  it("never throw on arbitrary input, and accept only well-formed records (property)", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const r = parseCallRecord(v);
        if (r !== undefined) expect(parseCallRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
      }),
    );
  });

  it("refuses a record that is almost right: a bad id, a length where none belongs, a day-long call", () => {
    const callId = "cal_AAAAAAAAAAAAAAAAAAAAAA" as CallId;
    expect(parseCallRecord({ callId, media: "audio", outcome: "missed" })).toBeDefined();
    expect(parseCallRecord({ callId: "msg_AAAAAAAAAAAAAAAAAAAAAA", media: "audio", outcome: "missed" })).toBe(
      undefined,
    );
    expect(parseCallRecord({ callId, media: "audio", outcome: "missed", durationSeconds: 3 })).toBe(
      undefined,
    );
    expect(parseCallRecord({ callId, media: "audio", outcome: "ended" })).toBe(undefined);
    expect(parseCallRecord({ callId, media: "audio", outcome: "ended", durationSeconds: 90_000 })).toBe(
      undefined,
    );
    expect(parseCallRecord({ callId, media: "screen", outcome: "ended", durationSeconds: 1 })).toBe(
      undefined,
    );
  });

  it("reads as calm, short lines", () => {
    const callId = newCallId();
    expect(callRecordText({ callId, media: "audio", outcome: "ended", durationSeconds: 40 })).toBe(
      "Voice call · under a minute",
    );
    expect(
      callRecordText({ callId, media: "video", outcome: "ended", durationSeconds: 3 * 3600 + 600 }),
    ).toBe("Video call · 3 h 10 min");
    expect(callRecordText({ callId, media: "video", outcome: "failed" })).toBe(
      "Video call could not connect",
    );
  });

  it("come from the caller's ended call only; answered but never connected is 'could not connect'", () => {
    const callId = newCallId();
    const base = {
      phase: "ended",
      callId,
      conversationId: ctx.conversationId,
      media: "audio",
      direction: "outgoing",
      peer: { userId: "usr_THEMTHEMTHEMTHEMTHEMTH" },
    } as CallState;
    expect(callRecordFor({ ...base, reason: "remote_hangup" }, undefined, 0)?.call.outcome).toBe("missed");
    const answered = {
      ...base,
      peer: { ...base.peer!, deviceId: "dev_THEMTHEMTHEMTHEMTHEMTH" },
    } as CallState;
    expect(callRecordFor({ ...answered, reason: "remote_hangup" }, undefined, 0)?.text).toBe(
      "Voice call could not connect",
    );
    expect(callRecordFor({ ...answered, reason: "hangup" }, 1_000, 61_000)?.text).toBe("Voice call · 1 min");
    expect(callRecordFor({ ...base, direction: "incoming", reason: "hangup" }, 1_000, 61_000)).toBe(
      undefined,
    );
  });
});
