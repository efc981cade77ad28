import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";
import type { E2eeSession, EncryptionSetup } from "../e2ee/e2ee-session.ts";

/**
 * End-to-end encryption of one device, as the application sees it: `client.crypto` (as
 * matrix-js-sdk's `getCrypto()`). Set-up and recovery, device transfer, safety numbers, group
 * members and key rotation. Messages are encrypted and decrypted by the client itself; nothing
 * here is needed to send or read them.
 *
 * A client made without `encryption` has a `crypto` whose `enabled` is false; its methods throw
 * (misuse), except {@link HearthCrypto.idle}, which resolves at once.
 *
 * @example
 * const client = new HearthClient({ baseUrl, token, encryption: { keyStore } });
 * const setup = await client.crypto.setUp();
 * if (setup.kind === "new-identity") showOnce(setup.recoveryKey);
 * client.connect();
 */
export class HearthCrypto {
  readonly #e2ee: E2eeSession | undefined;

  /** @internal Made by {@link HearthClient}. */
  constructor(e2ee: E2eeSession | undefined) {
    this.#e2ee = e2ee;
  }

  /** True when the client was made with `encryption`. */
  get enabled(): boolean {
    return this.#e2ee !== undefined;
  }

  #session(): E2eeSession {
    if (!this.#e2ee) throw new Error("Encryption is off: pass options.encryption");
    return this.#e2ee;
  }

  #reconcile(): void {
    void this.#e2ee?.reconcileAll().catch(() => undefined);
  }

  /**
   * Prepares this device for end-to-end encryption. The first device of a user creates the
   * identity key and archive root and gets `new-identity` with the **recovery key, shown once**.
   * A device that already has its keys gets `ready`. A new device of a user who has an identity
   * gets `needs-history`: bring the keys with {@link HearthCrypto.startDeviceTransfer} or
   * {@link HearthCrypto.restoreFromRecoveryKey}. Once ready, the device publishes its key packages
   * and joins its conversations' MLS groups by itself.
   */
  async setUp(): Promise<EncryptionSetup> {
    const r = await this.#session().setUp();
    if (r.kind !== "needs-history") this.#reconcile();
    return r;
  }

  /**
   * Restores the user's keys on this device from the recovery key (history included). Throws an
   * `EncryptionError` (`recovery_key_checksum`, `recovery_key_malformed`, `wrong_recovery_key`).
   */
  async restoreFromRecoveryKey(recoveryKey: string): Promise<void> {
    await this.#session().restoreFromRecoveryKey(recoveryKey);
    this.#reconcile();
  }

  /**
   * The user's recovery key, shown again on a device that holds the keys (a settings screen:
   * "show my recovery key"). The same key as after sign-up; throws `not_set_up` on a device
   * without the keys.
   */
  recoveryKey(): Promise<string> {
    return this.#session().recoveryKey();
  }

  /**
   * New device: starts a transfer from another device of the same user. Show `qrPayload` as a QR
   * code; `shortCode` resolves with the 6-digit code derived here once the other device sent the
   * keys (show it: it must equal the one the other device showed); `done` resolves once the keys
   * are installed (it rejects with an `EncryptionError` if the transfer fails or expires).
   */
  async startDeviceTransfer(options?: {
    /**
     * Strict mode (recommended): asked once the keys arrived; resolve with the code the user
     * **types** from the other device's screen. The keys are installed only if it matches
     * (`transfer_code_mismatch` otherwise), which also defeats a photographed QR code.
     */
    typedCode?: () => Promise<string>;
  }): Promise<{ qrPayload: string; shortCode: Promise<string>; done: Promise<void> }> {
    const t = await this.#session().startTransfer(options?.typedCode);
    const done = t.done.then(() => this.#reconcile());
    done.catch(() => undefined);
    return { qrPayload: t.qrPayload, shortCode: t.shortCode, done };
  }

  /**
   * Existing device: after scanning the new device's QR code, returns the 6-digit `shortCode` to
   * show; `confirm()` sends the sealed keys through the server's transfer mailbox.
   */
  approveDeviceTransfer(qrPayload: string): Promise<{ shortCode: string; confirm(): Promise<void> }> {
    return this.#session().approveTransfer(qrPayload);
  }

  /** The safety number (60 digits, grouped) and QR payload to compare with `userId` in person. */
  safetyNumber(userId: UserId): Promise<{ digits: string; qr: string }> {
    return this.#session().safetyNumber(userId);
  }

  /**
   * Checks a safety-number QR code scanned from `userId`'s screen: true when it was made by the
   * identity key pinned here for them, about this user's identity key.
   */
  verifySafetyNumber(userId: UserId, scannedQr: string): Promise<boolean> {
    return this.#session().verifySafetyQr(userId, scannedQr);
  }

  /** The devices in this device's MLS group for a conversation (what "who can read this" shows). */
  members(conversationId: ConversationId): Promise<{ userId: UserId; deviceId: DeviceId }[]> {
    return this.#session().groupMembers(conversationId);
  }

  /** This device's MLS epoch in a conversation (`undefined` when it is not in the group yet). */
  epoch(conversationId: ConversationId): Promise<number | undefined> {
    return this.#session().groupEpoch(conversationId);
  }

  /** How many messages this device read through MLS and how many from the archive copy (diagnostics). */
  stats(): { mls: number; archive: number; staleCommits: number } {
    return { ...this.#session().stats };
  }

  /**
   * Rotates this device's MLS keys in a conversation (an update commit: post-compromise
   * security). If another device's commit wins the epoch (`stale_commit`), the winner is processed
   * and the update is proposed again. Resolves with the epoch reached and the attempts it took.
   */
  rotateKeys(conversationId: ConversationId): Promise<{ epoch: number; attempts: number }> {
    return this.#session().rotate(conversationId);
  }

  /** Resolves once no group maintenance (adds, removes, updates) is running or queued. */
  idle(): Promise<void> {
    return this.#e2ee ? this.#e2ee.idle() : Promise.resolve();
  }
}
