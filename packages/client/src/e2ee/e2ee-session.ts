import type { ConversationId, DeviceId, LogEntry, UserId } from "@hearth/protocol";
import type { DeviceKeyStore } from "../device-key-store.ts";
import type { CodecContext, DecodeResult, MessageContent, PayloadCodec } from "../payload-codec.ts";
import { type CallSealFailure, openCallSignal, sealCallSignal } from "./call-protection.ts";
import * as setup from "./device-setup.ts";
import * as transfer from "./device-transfer.ts";
import { E2eeState } from "./e2ee-state.ts";
import type { E2eeHost, EncryptionSetup } from "./e2ee-types.ts";
import * as groups from "./group-lifecycle.ts";
import { membersKnown, pinnedIdentity } from "./key-directory.ts";
import { protect, unprotect } from "./message-protection.ts";
import { safetyNumberWith, verifySafetyQr } from "./safety-number.ts";

export { type E2eeEvents, type E2eeHost, EncryptionError, type EncryptionSetup } from "./e2ee-types.ts";

/**
 * The end-to-end encryption layer of one device: keys, one MLS group per conversation, the
 * archive layer, device transfer, and the payload codec. Internal to the SDK; the application
 * uses it through {@link HearthClient}'s encryption methods.
 *
 * A facade: each concern lives in its own file beside this one (device-setup, key-directory,
 * key-packages, group-store, group-lifecycle, group-reconcile, message-protection,
 * device-transfer, safety-number), all sharing one {@link E2eeState}.
 */
export class E2eeSession implements PayloadCodec {
  readonly #s: E2eeState;

  constructor(keyStore: DeviceKeyStore, host: E2eeHost) {
    const s: E2eeState = new E2eeState(keyStore, host, (userId) => pinnedIdentity(s, userId));
    this.#s = s;
  }

  /** How messages were read on this device: through MLS, or from the archive copy (diagnostics). */
  get stats(): { mls: number; archive: number; staleCommits: number } {
    return this.#s.stats;
  }

  /** Encrypts call signaling for a conversation's group (never stored; see call-protection.ts). */
  sealCallSignal(
    conversationId: ConversationId,
    plaintext: Uint8Array,
  ): Promise<{ ok: true; value: Uint8Array } | { ok: false; reason: CallSealFailure }> {
    return sealCallSignal(this.#s, conversationId, plaintext);
  }

  /** Decrypts call signaling and checks its MLS sender is `from`. */
  openCallSignal(
    conversationId: ConversationId,
    bytes: Uint8Array,
    from: { userId: UserId; deviceId: DeviceId },
  ): Promise<{ ok: true; value: Uint8Array } | { ok: false; reason: CallSealFailure }> {
    return openCallSignal(this.#s, conversationId, bytes, from);
  }

  /** True once this device holds its keys and can encrypt. */
  get ready(): boolean {
    return this.#s.ready;
  }

  // ------------------------------------------------------------------ identity and setup

  /**
   * Picks up the keys a previous session left in the key store (no network), so a restarted client
   * decrypts its backlog even before {@link E2eeSession.setUp} runs again. False if there are none.
   */
  resume(): Promise<boolean> {
    return setup.resume(this.#s);
  }

  /** The socket says which device this is: keys resumed for another device are not used. */
  signedInAs(userId: UserId, deviceId: DeviceId): void {
    setup.signedInAs(this.#s, userId, deviceId);
  }

  setUp(): Promise<EncryptionSetup> {
    return setup.setUp(this.#s);
  }

  restoreFromRecoveryKey(recoveryKey: string): Promise<void> {
    return setup.restoreFromRecoveryKey(this.#s, recoveryKey);
  }

  /** The recovery key again, from the keys on this device (for settings); `not_set_up` without them. */
  recoveryKey(): Promise<string> {
    return setup.recoveryKey(this.#s);
  }

  /** The server's conversation list arrived: who is in each conversation, for encrypting. */
  membersKnown(
    conversations: readonly { conversationId: string; members: readonly { userId: UserId }[] }[],
  ): void {
    membersKnown(this.#s, conversations);
  }

  /** Forgets every secret of this device (after signing out). */
  wipe(conversationIds: Iterable<string>): Promise<void> {
    return setup.wipe(this.#s, conversationIds);
  }

  // ------------------------------------------------------------------ groups

  /** The devices in this device's MLS group of a conversation (empty when not a member). */
  groupMembers(conversationId: ConversationId): Promise<{ userId: UserId; deviceId: DeviceId }[]> {
    return groups.groupMembers(this.#s, conversationId);
  }

  /** The MLS epoch this device is in for a conversation (undefined when not a member). */
  groupEpoch(conversationId: ConversationId): Promise<number | undefined> {
    return groups.groupEpoch(this.#s, conversationId);
  }

  /** A welcome for this device: join the group and read the log after `seq`. */
  onWelcome(conversationId: ConversationId, seq: number, body: Uint8Array): Promise<void> {
    return groups.onWelcome(this.#s, conversationId, seq, body);
  }

  /** A commit entry of the log, in order: apply it to the group. */
  onCommit(entry: LogEntry): Promise<void> {
    return groups.onCommit(this.#s, entry);
  }

  /**
   * Commits a fresh UpdatePath for this device (post-compromise security: new keys for this leaf).
   * On `stale_commit` it processes the winning commit and proposes again (at most 8 times).
   */
  rotate(cid: ConversationId): Promise<{ epoch: number; attempts: number }> {
    return groups.rotate(this.#s, cid);
  }

  /** Something about a conversation's devices changed: bring its group up to date soon. */
  scheduleReconcile(conversationId: string): void {
    groups.scheduleReconcile(this.#s, conversationId);
  }

  /** Brings every conversation's group up to date (after sync). */
  reconcileAll(): Promise<void> {
    return groups.reconcileAll(this.#s);
  }

  /** Resolves once no group maintenance is running or queued (for tests and orderly shutdown). */
  idle(): Promise<void> {
    return groups.idle(this.#s);
  }

  // ------------------------------------------------------------------ codec

  encode(content: MessageContent, ctx: CodecContext): Promise<Uint8Array> {
    return protect(this.#s, content, ctx);
  }

  decode(payload: Uint8Array, ctx: CodecContext): Promise<DecodeResult> {
    return unprotect(this.#s, payload, ctx);
  }

  // ------------------------------------------------------------------ device transfer

  /** New device: open a mailbox and show the QR; the root arrives when the old device confirms. */
  startTransfer(
    typedCode?: () => Promise<string>,
  ): Promise<{ qrPayload: string; shortCode: Promise<string>; done: Promise<void> }> {
    return transfer.startTransfer(this.#s, typedCode);
  }

  /** Existing device: seal the root for the new device; `confirm()` sends it. */
  approveTransfer(qr: string): Promise<{ shortCode: string; confirm(): Promise<void> }> {
    return transfer.approveTransfer(this.#s, qr);
  }

  // ------------------------------------------------------------------ verification

  /** The safety number this user shares with `userId` (digits and QR payload). */
  safetyNumber(userId: UserId): Promise<{ digits: string; qr: string }> {
    return safetyNumberWith(this.#s, userId);
  }

  /** Checks a safety-number QR code scanned from `userId`'s screen: made by them, about us. */
  verifySafetyQr(userId: UserId, scanned: string): Promise<boolean> {
    return verifySafetyQr(this.#s, userId, scanned);
  }
}
