import type { CallId } from "@hearth/protocol";

/*
 * What travels end-to-end encrypted (inside MLS) during a call: the SDP offer and answer with their
 * DTLS fingerprints, ICE candidates, and the answering side's request for an ICE restart. The MLS plaintext is `vec16("call:" ‖ callId) ‖ JSON`.
 */

/** One end-to-end encrypted signaling message. */
export type CallSignal =
  | { kind: "offer" | "answer"; sdp: string; fingerprints: string[] }
  | { kind: "candidate"; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }
  | { kind: "candidates-done" }
  /** The answering side lost its path: asks the offering side for an ICE restart. */
  | { kind: "restart" };

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const MAX_SDP = 48 * 1024;

/** Encodes a signal as the MLS plaintext bound to its call. */
export function encodeCallSignal(callId: CallId, signal: CallSignal): Uint8Array {
  const label = enc.encode(`call:${callId}`);
  const json = enc.encode(JSON.stringify(signal));
  const out = new Uint8Array(2 + label.length + json.length);
  out[0] = label.length >>> 8;
  out[1] = label.length & 0xff;
  out.set(label, 2);
  out.set(json, 2 + label.length);
  return out;
}

const isStrList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length <= 8 && v.every((x) => typeof x === "string" && x.length <= 256);

/** Decodes an MLS plaintext for `callId`; undefined if it is malformed or names another call. */
export function decodeCallSignal(callId: CallId, bytes: Uint8Array): CallSignal | undefined {
  if (bytes.length < 2) return undefined;
  const n = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  if (bytes.length < 2 + n) return undefined;
  let v: unknown;
  try {
    if (dec.decode(bytes.subarray(2, 2 + n)) !== `call:${callId}`) return undefined;
    v = JSON.parse(dec.decode(bytes.subarray(2 + n)));
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if ((o.kind === "offer" || o.kind === "answer") && typeof o.sdp === "string" && o.sdp.length <= MAX_SDP) {
    if (!isStrList(o.fingerprints)) return undefined;
    return { kind: o.kind, sdp: o.sdp, fingerprints: o.fingerprints };
  }
  if (o.kind === "candidate" && typeof o.candidate === "string" && o.candidate.length <= 1024) {
    const mid = o.sdpMid;
    const idx = o.sdpMLineIndex;
    if (mid !== null && typeof mid !== "string") return undefined;
    if (idx !== null && !(typeof idx === "number" && Number.isInteger(idx) && idx >= 0 && idx < 64))
      return undefined;
    return { kind: "candidate", candidate: o.candidate, sdpMid: mid, sdpMLineIndex: idx };
  }
  if (o.kind === "candidates-done") return { kind: "candidates-done" };
  if (o.kind === "restart") return { kind: "restart" };
  return undefined;
}

/**
 * The DTLS fingerprints an SDP declares (`a=fingerprint:<algorithm> <hex>` lines, session or media
 * level), normalised to `"<algorithm lower-case> <HEX UPPER-CASE>"`, sorted and de-duplicated.
 */
export function sdpFingerprints(sdp: string): string[] {
  const out = new Set<string>();
  for (const m of sdp.matchAll(/^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/gm)) {
    out.add(normaliseFingerprint(m[1] ?? "", m[2] ?? ""));
  }
  return [...out].sort();
}

/** `"sha-256 AB:CD:…"` from an algorithm and a hex fingerprint in any case. */
export function normaliseFingerprint(algorithm: string, hex: string): string {
  return `${algorithm.toLowerCase()} ${hex.toUpperCase()}`;
}

/** True when two fingerprint lists (as {@link sdpFingerprints} gives them) are the same set. */
export function sameFingerprints(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((x, i) => x === sb[i]);
}
