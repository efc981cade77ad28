import type { PeerConnectionLike } from "@hearth/client";
import { describe, expect, it } from "vitest";
import { readMeshStats } from "../../apps/web/src/screens/call/call-stats.ts";
import { checkinSummary } from "../../apps/web/src/state/session/checkin-summary.ts";

/** A peer connection that only reports stats (what the call screen reads once a second). */
function statsOnly(inbound: number, rtt: number, type = "relay"): PeerConnectionLike {
  const reports = [
    { id: "in", type: "inbound-rtp", bytesReceived: inbound, packetsReceived: 100, packetsLost: 0 },
    { id: "out", type: "outbound-rtp", kind: "audio", bytesSent: 10 },
    { id: "t", type: "transport", selectedCandidatePairId: "p" },
    { id: "p", type: "candidate-pair", localCandidateId: "l", currentRoundTripTime: rtt },
    { id: "l", type: "local-candidate", candidateType: type },
  ];
  return {
    getStats: async () => ({ forEach: (fn: (r: Record<string, unknown>) => void) => reports.forEach(fn) }),
  } as unknown as PeerConnectionLike;
}

describe("a group call's numbers on the call screen", () => {
  it("add up over the connected links; the slowest link and the weakest round trip are kept", async () => {
    const s = await readMeshStats([
      { pc: statsOnly(500, 0.05), connected: true },
      { pc: statsOnly(200, 0.4), connected: true },
      { pc: statsOnly(9_000, 0.01), connected: false },
    ]);
    expect(s).toMatchObject({
      inboundBytes: 700,
      outboundAudioBytes: 20,
      minInboundBytes: 200,
      connectedLinks: 2,
      localCandidateType: "relay",
      rttSeconds: 0.4,
    });
    expect(await readMeshStats([{ pc: statsOnly(1, 0.1), connected: false }])).toBe(undefined);
  });

  it("a call's trace reads as the line this device makes from it", () => {
    const call = { callId: "cal_AAAAAAAAAAAAAAAAAAAAAA", media: "audio", outcome: "missed" } as const;
    expect(checkinSummary({ kind: "call", text: "ignored", call: call as never })).toBe("Missed voice call");
  });
});
