import type { CallId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCallSignal, encodeCallSignal, sameFingerprints, sdpFingerprints } from "./call-signal.ts";

const callId = "cal_AAAAAAAAAAAAAAAAAAAAAA" as CallId;
const other = "cal_BBBBBBBBBBBBBBBBBBBBBB" as CallId;
const SDP = [
  "v=0",
  "o=- 1 2 IN IP4 127.0.0.1",
  "a=fingerprint:sha-256 ab:cd:EF:01",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "a=fingerprint:sha-256 AB:CD:EF:01",
  "",
].join("\r\n");

describe("call signals", () => {
  it("round-trips each kind, bound to its call id", () => {
    for (const s of [
      { kind: "offer" as const, sdp: SDP, fingerprints: sdpFingerprints(SDP) },
      {
        kind: "candidate" as const,
        candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ relay",
        sdpMid: "0",
        sdpMLineIndex: 0,
      },
      { kind: "candidates-done" as const },
    ]) {
      expect(decodeCallSignal(callId, encodeCallSignal(callId, s))).toEqual(s);
      // The same bytes under another call id are refused: a signal cannot be replayed into another call.
      expect(decodeCallSignal(other, encodeCallSignal(callId, s))).toBeUndefined();
    }
  });

  it("reads fingerprints normalised and de-duplicated; a changed one no longer matches", () => {
    expect(sdpFingerprints(SDP)).toEqual(["sha-256 AB:CD:EF:01"]);
    const changed = SDP.replaceAll("EF:01", "EF:02").replace("ef:01", "ef:02");
    expect(sameFingerprints(sdpFingerprints(SDP), sdpFingerprints(changed))).toBe(false);
    expect(sameFingerprints([], [])).toBe(false);
  });

  it("never throws on arbitrary bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeCallSignal(callId, bytes);
        expect(r === undefined || typeof r.kind === "string").toBe(true);
      }),
    );
  });
});
