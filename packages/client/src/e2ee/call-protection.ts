import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";
import type { E2eeState } from "./e2ee-state.ts";
import { loadGroup, saveGroup } from "./group-store.ts";

/*
 * Call signaling inside MLS: each SDP and ICE candidate is an MLS application message of the
 * conversation's group, relayed by the server between two devices and never stored. Its plaintext
 * starts with `vec16("call:" ‖ callId)` where a log message's starts with its `msg_` id, so one can
 * never be taken for the other; the authenticated data labels it as call signaling as well.
 */

const AAD = new TextEncoder().encode("hearth-call-signal-v1");

/** Why a call signal could not be sealed or opened. */
export type CallSealFailure = "not_encrypted" | "signal_unverified";

/** Encrypts call-signal plaintext for the conversation's group; `not_encrypted` without a usable group. */
export async function sealCallSignal(
  s: E2eeState,
  conversationId: ConversationId,
  plaintext: Uint8Array,
): Promise<{ ok: true; value: Uint8Array } | { ok: false; reason: CallSealFailure }> {
  if (!s.ready || !s.me) return { ok: false, reason: "not_encrypted" };
  return s.lock.run(conversationId, async () => {
    const g = await loadGroup(s, conversationId);
    if (!g?.active || g.needsUpdate) return { ok: false as const, reason: "not_encrypted" as const };
    const out = await g.encrypt(plaintext, AAD);
    await saveGroup(s, conversationId, g);
    return { ok: true as const, value: out };
  });
}

/**
 * Decrypts a call signal and checks that MLS says it came from `from` (the device the server claims
 * relayed it). Anything else — not decrypting, a commit or proposal, another sender, another label —
 * is `signal_unverified`.
 */
export async function openCallSignal(
  s: E2eeState,
  conversationId: ConversationId,
  bytes: Uint8Array,
  from: { userId: UserId; deviceId: DeviceId },
): Promise<{ ok: true; value: Uint8Array } | { ok: false; reason: CallSealFailure }> {
  if (!s.ready || !s.me) return { ok: false, reason: "not_encrypted" };
  return s.lock.run(conversationId, async () => {
    const g = await loadGroup(s, conversationId);
    if (!g?.active) return { ok: false as const, reason: "not_encrypted" as const };
    const r = await g.processMessage(bytes);
    if (r.kind !== "application") return { ok: false as const, reason: "signal_unverified" as const };
    await saveGroup(s, conversationId, g);
    if (r.sender?.userId !== from.userId || r.sender?.deviceId !== from.deviceId)
      return { ok: false as const, reason: "signal_unverified" as const };
    return { ok: true as const, value: r.plaintext };
  });
}
