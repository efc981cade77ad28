import type { PeerConnectionLike } from "@hearth/client";

/** What the call screen reads from `getStats()` once a second. */
export interface CallStats {
  inboundBytes: number;
  outboundAudioBytes: number;
  /** The local candidate type of the selected pair (`relay` when going through TURN). */
  localCandidateType: string;
  /** Round trip time of the selected pair, in seconds (undefined until known). */
  rttSeconds: number | undefined;
  packetsLostRatio: number;
}

/** Reads the numbers the quality hint (and the browser test) uses. */
export async function readCallStats(pc: PeerConnectionLike): Promise<CallStats> {
  const stats = await pc.getStats();
  const all = new Map<string, Record<string, unknown>>();
  stats.forEach((r) => {
    all.set(String(r.id), r);
  });
  let inboundBytes = 0;
  let outboundAudioBytes = 0;
  let received = 0;
  let lost = 0;
  let pair: Record<string, unknown> | undefined;
  for (const r of all.values()) {
    if (r.type === "inbound-rtp") {
      inboundBytes += Number(r.bytesReceived ?? 0);
      received += Number(r.packetsReceived ?? 0);
      lost += Math.max(0, Number(r.packetsLost ?? 0));
    } else if (r.type === "outbound-rtp" && r.kind === "audio") {
      outboundAudioBytes += Number(r.bytesSent ?? 0);
    } else if (r.type === "transport" && typeof r.selectedCandidatePairId === "string") {
      pair = all.get(r.selectedCandidatePairId);
    }
  }
  const local = pair ? all.get(String(pair.localCandidateId)) : undefined;
  const rtt = pair?.currentRoundTripTime;
  return {
    inboundBytes,
    outboundAudioBytes,
    localCandidateType: String(local?.candidateType ?? ""),
    rttSeconds: typeof rtt === "number" ? rtt : undefined,
    packetsLostRatio: received + lost > 0 ? lost / (received + lost) : 0,
  };
}

/** A calm, short quality hint from the numbers. */
export function qualityHint(s: CallStats | undefined): string {
  if (!s || s.rttSeconds === undefined) return "Checking the connection…";
  if (s.packetsLostRatio > 0.1 || s.rttSeconds > 0.6) return "Weak connection";
  if (s.packetsLostRatio > 0.03 || s.rttSeconds > 0.3) return "Fair connection";
  return "Good connection";
}

/** A call's numbers over all its peer connections (a group call has one per other device). */
export interface MeshStats extends CallStats {
  /** How many other devices this one is connected with. */
  connectedLinks: number;
  /** The fewest bytes received from any one connected device (a group test watches every link move). */
  minInboundBytes: number;
}

/** Reads every connected link: bytes add up, the quality hint follows the weakest link. */
export async function readMeshStats(
  participants: readonly { pc: PeerConnectionLike; connected: boolean }[],
): Promise<MeshStats | undefined> {
  const links = participants.filter((p) => p.connected);
  if (links.length === 0) return undefined;
  const each = await Promise.all(links.map((p) => readCallStats(p.pc)));
  const rtts = each.map((s) => s.rttSeconds).filter((r): r is number => r !== undefined);
  return {
    inboundBytes: each.reduce((n, s) => n + s.inboundBytes, 0),
    outboundAudioBytes: each.reduce((n, s) => n + s.outboundAudioBytes, 0),
    localCandidateType: [...new Set(each.map((s) => s.localCandidateType))].join(" "),
    rttSeconds: rtts.length === each.length ? Math.max(...rtts) : undefined,
    packetsLostRatio: Math.max(...each.map((s) => s.packetsLostRatio)),
    connectedLinks: links.length,
    minInboundBytes: Math.min(...each.map((s) => s.inboundBytes)),
  };
}
