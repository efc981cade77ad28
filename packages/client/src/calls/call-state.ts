import type { CallId, CallMedia, ConversationId, DeviceId, UserId } from "@hearth/protocol";

/**
 * A call's phases: `idle` (no call) → `outgoing` (we ring them) or `ringing` (they ring us) →
 * `connecting` (answered; keys and ICE being exchanged) → `connected` (media flows) → `ended` (with a
 * reason). `ended` stays until the next call starts.
 */
export type CallPhase = "idle" | "outgoing" | "ringing" | "connecting" | "connected" | "ended";

/**
 * Why a call ended, as data (not exceptions): `hangup` (this side left), `remote_hangup` (the other
 * side left or cancelled), `declined`, `missed` (nobody answered in time), `busy` (the other side
 * is in another call), `answered_elsewhere` (another of this user's devices took it), `failed`
 * (see {@link CallFailure}).
 */
export type CallEndReason =
  | "hangup"
  | "remote_hangup"
  | "declined"
  | "missed"
  | "busy"
  | "answered_elsewhere"
  | "failed";

/**
 * Why a call failed: `fingerprint_mismatch` (the DTLS fingerprint in the SDP or of the certificate
 * the peer presented differs from what came end-to-end encrypted: someone may be in the middle),
 * `signal_unverified` (a signaling message did not decrypt or came from another device than
 * claimed), `ice_failed` (no network path, e.g. the relay is unreachable), `media_unavailable`
 * (no microphone or camera, or permission refused), `not_encrypted` (this conversation has no
 * usable encryption group yet), `connect_timeout`, `network` (the server refused or the socket went).
 */
export type CallFailure =
  | "fingerprint_mismatch"
  | "signal_unverified"
  | "ice_failed"
  | "media_unavailable"
  | "not_encrypted"
  | "connect_timeout"
  | "network";

/** A clear message for each failure, for the call screen and screen readers. */
export const CALL_FAILURE_MESSAGES: Readonly<Record<CallFailure, string>> = Object.freeze({
  fingerprint_mismatch:
    "The call was stopped: its security keys did not match what the other device sent through the encrypted chat. Someone may be trying to listen in.",
  signal_unverified:
    "The call was stopped: a call message could not be verified as coming from the other device.",
  ice_failed: "The call could not connect. Check your network and try again.",
  media_unavailable: "Your microphone or camera is not available. Check the browser's permission.",
  not_encrypted: "This conversation's encryption is not ready yet. Try again in a moment.",
  connect_timeout: "The call could not connect in time.",
  network: "The connection to the server was lost.",
});

/**
 * The most devices in one call, this one included. A call is a full mesh (no media server): each
 * device sends its audio and video to every other device, so its upload and encoding work grow with
 * every participant; six is about what a phone on a home connection carries for video.
 */
export const MAX_CALL_PARTICIPANTS = 6;

/** Who is on the other end: a user, and once answered, their device. */
export interface CallPeer {
  userId: UserId;
  deviceId?: DeviceId;
}

/** The state of this device's call. */
export interface CallState {
  phase: CallPhase;
  callId?: CallId;
  conversationId?: ConversationId;
  media?: CallMedia;
  direction?: "outgoing" | "incoming";
  peer?: CallPeer;
  reason?: CallEndReason;
  failure?: CallFailure;
}

/** Inputs of the state machine: what this user did, what the other side did, what the media did. */
export type CallEvent =
  | { type: "dial"; callId: CallId; conversationId: ConversationId; media: CallMedia; peer: CallPeer }
  | { type: "incoming"; callId: CallId; conversationId: ConversationId; media: CallMedia; peer: CallPeer }
  | { type: "accept" }
  | { type: "decline" }
  | { type: "hangup" }
  | { type: "remote_accept"; deviceId: DeviceId }
  | { type: "remote_decline" }
  | { type: "remote_busy" }
  | { type: "remote_hangup" }
  | { type: "answered_elsewhere" }
  | { type: "timeout" }
  | { type: "media_connected" }
  | { type: "fail"; failure: CallFailure };

export const IDLE: CallState = Object.freeze({ phase: "idle" });

const end = (s: CallState, reason: CallEndReason, failure?: CallFailure): CallState =>
  failure ? { ...s, phase: "ended", reason, failure } : { ...s, phase: "ended", reason };

/**
 * The call state machine, pure: the next state for an event, or the same object when the event
 * does not apply in this phase (a late answer, a second hang-up), so callers can tell by identity.
 *
 * @example
 * let s = IDLE;
 * s = nextCallState(s, { type: "dial", callId, conversationId, media: "audio", peer: { userId } });
 * s = nextCallState(s, { type: "remote_accept", deviceId }); // connecting
 */
export function nextCallState(s: CallState, e: CallEvent): CallState {
  const free = s.phase === "idle" || s.phase === "ended";
  switch (e.type) {
    case "dial":
      if (!free) return s;
      return {
        phase: "outgoing",
        callId: e.callId,
        conversationId: e.conversationId,
        media: e.media,
        direction: "outgoing",
        peer: e.peer,
      };
    case "incoming":
      if (!free) return s;
      return {
        phase: "ringing",
        callId: e.callId,
        conversationId: e.conversationId,
        media: e.media,
        direction: "incoming",
        peer: e.peer,
      };
    case "accept":
      return s.phase === "ringing" ? { ...s, phase: "connecting" } : s;
    case "decline":
      return s.phase === "ringing" ? end(s, "declined") : s;
    case "remote_accept":
      return s.phase === "outgoing"
        ? { ...s, phase: "connecting", peer: { userId: s.peer?.userId as UserId, deviceId: e.deviceId } }
        : s;
    case "remote_decline":
      return s.phase === "outgoing" ? end(s, "declined") : s;
    case "remote_busy":
      return s.phase === "outgoing" ? end(s, "busy") : s;
    case "answered_elsewhere":
      return s.phase === "ringing" ? end(s, "answered_elsewhere") : s;
    case "timeout":
      if (s.phase === "outgoing" || s.phase === "ringing") return end(s, "missed");
      if (s.phase === "connecting") return end(s, "failed", "connect_timeout");
      return s;
    case "media_connected":
      return s.phase === "connecting" ? { ...s, phase: "connected" } : s;
    case "hangup":
      return free ? s : end(s, "hangup");
    case "remote_hangup":
      if (free) return s;
      // A caller who gives up before anyone answered: the callee missed the call.
      return s.phase === "ringing" ? end(s, "missed") : end(s, "remote_hangup");
    case "fail":
      return free ? s : end(s, "failed", e.failure);
  }
}

/** True while a call occupies this device (a new ring gets `busy`). */
export function inCall(s: CallState): boolean {
  return s.phase !== "idle" && s.phase !== "ended";
}
