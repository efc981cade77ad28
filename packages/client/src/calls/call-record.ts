import { type CallId, CallIdSchema, type CallMedia } from "@hearth/protocol";
import type { CallState } from "./call-state.ts";

/*
 * A call's trace in the conversation: when a call this device rang ends, it sends one ordinary
 * end-to-end encrypted message of kind `call` — missed, declined, busy, could not connect, or how
 * long it lasted. The server stores it as it stores every message: ciphertext it cannot read.
 */

/** How a call went, as the caller's device saw it. */
export type CallOutcome = "missed" | "declined" | "busy" | "failed" | "ended";

/** The content of a `call` message (inside the encrypted payload only). */
export interface CallRecord {
  callId: CallId;
  media: CallMedia;
  outcome: CallOutcome;
  /** For `ended`: whole seconds from connecting to the end (this device's part in a group call). */
  durationSeconds?: number;
}

const OUTCOMES: readonly CallOutcome[] = ["missed", "declined", "busy", "failed", "ended"];
/** A call longer than a day is a stuck clock, not a session. */
const MAX_DURATION = 24 * 60 * 60;

/** Validates a call record from a decrypted payload; undefined for anything else. Never throws. */
export function parseCallRecord(v: unknown): CallRecord | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const callId = CallIdSchema.safeParse(o.callId);
  if (!callId.success) return undefined;
  if (o.media !== "audio" && o.media !== "video") return undefined;
  if (typeof o.outcome !== "string" || !OUTCOMES.includes(o.outcome as CallOutcome)) return undefined;
  const outcome = o.outcome as CallOutcome;
  const d = o.durationSeconds;
  if (outcome === "ended") {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > MAX_DURATION) return undefined;
    return { callId: callId.data, media: o.media, outcome, durationSeconds: d };
  }
  if (d !== undefined) return undefined;
  return { callId: callId.data, media: o.media, outcome };
}

/**
 * The line a call record shows as ("Missed voice call", "Video call · 12 min"), made on the reading
 * device from the record (also the message's `text`, for a client that does not know the kind).
 */
export function callRecordText(r: CallRecord): string {
  const kind = r.media === "video" ? "video call" : "voice call";
  const Kind = r.media === "video" ? "Video call" : "Voice call";
  switch (r.outcome) {
    case "missed":
      return `Missed ${kind}`;
    case "declined":
      return `${Kind} declined`;
    case "busy":
      return `${Kind}: busy elsewhere`;
    case "failed":
      return `${Kind} could not connect`;
    case "ended": {
      const s = r.durationSeconds ?? 0;
      if (s < 60) return `${Kind} · under a minute`;
      const min = Math.round(s / 60);
      if (min < 60) return `${Kind} · ${min} min`;
      const h = Math.floor(min / 60);
      const rest = min % 60;
      return `${Kind} · ${h} h${rest > 0 ? ` ${rest} min` : ""}`;
    }
  }
}

/**
 * The `call` message for a call this device rang, now ended: `ended` with its length when a link
 * ever connected (at `connectedAt`), else declined, busy, failed (also when answered but never
 * connected) or missed (a ring given up, or taken back before anyone answered, is a missed call for
 * the other side).
 */
export function callRecordFor(
  ended: CallState,
  connectedAt: number | undefined,
  now: number,
): { kind: "call"; text: string; call: CallRecord } | undefined {
  const { callId, media, reason } = ended;
  if (ended.phase !== "ended" || ended.direction !== "outgoing" || !callId || !media) return undefined;
  let call: CallRecord;
  if (connectedAt !== undefined) {
    const durationSeconds = Math.min(MAX_DURATION, Math.max(0, Math.round((now - connectedAt) / 1000)));
    call = { callId, media, outcome: "ended", durationSeconds };
  } else {
    // Answered but never connected (it failed on either side): "could not connect", not "missed".
    const answered = ended.peer?.deviceId !== undefined;
    const outcome: CallOutcome =
      reason === "declined" || reason === "busy"
        ? reason
        : reason === "failed" || answered
          ? "failed"
          : "missed";
    call = { callId, media, outcome };
  }
  return { kind: "call", text: callRecordText(call), call };
}
