import { type EncryptionSetup, fullJitterDelay, type HearthClient } from "@hearth/client";
import { loadSession } from "../../session/saved-session.ts";

/** Retrying encryption set-up while the server is unreachable: full-jitter backoff, 1 s to 30 s. */
const SETUP_RETRY = { minMs: 1_000, maxMs: 30_000 };

/**
 * Where this device stands with end-to-end encryption: being checked, one of the SDK's
 * `crypto.setUp()` outcomes, or a failure to reach the server (retried).
 */
export type EncryptionState = { kind: "checking" } | EncryptionSetup | { kind: "unreachable" };

/**
 * Set (to the user's id) while the recovery key shown after sign-up waits to be confirmed saved: a
 * reload in between shows it again, rather than letting the one chance pass unnoticed.
 */
const RECOVERY_PENDING_KEY = "hearth.recoveryKeyPending";

function recoveryPending(userId: string | undefined, set?: boolean): boolean {
  try {
    if (set === true && userId) localStorage.setItem(RECOVERY_PENDING_KEY, userId);
    else if (set === false) localStorage.removeItem(RECOVERY_PENDING_KEY);
    return userId !== undefined && localStorage.getItem(RECOVERY_PENDING_KEY) === userId;
  } catch {
    return false;
  }
}

/** The 6-digit code and QR payload of a device transfer this (new) device started. */
export interface TransferOffer {
  qrPayload: string;
  shortCode: string | undefined;
}

/**
 * End-to-end encryption on this device before the socket connects: set up (retried with backoff
 * while the server is out of reach), the recovery key acknowledged after sign-up, and a new
 * device's keys restored from the recovery key or transferred from another device.
 */
export class EncryptionSetupFlow {
  /** End-to-end encryption on this device; the socket connects only once it is ready. */
  state: EncryptionState = { kind: "checking" };
  /** The person confirmed they saved the recovery key shown after sign-up. */
  recoveryKeySaved = false;
  /** A device transfer in progress (new device side). */
  transfer: TransferOffer | undefined;
  readonly #client: HearthClient;
  readonly #changed: () => void;
  readonly #onError: (err: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * @param changed called (to re-render) whenever what this shows changed
   * @param onError called with each failure to set up (e.g. to notice a refused token)
   */
  constructor(client: HearthClient, changed: () => void, onError: (err: unknown) => void) {
    this.#client = client;
    this.#changed = changed;
    this.#onError = onError;
  }

  /**
   * Prepares end-to-end encryption, then connects. A device without the user's keys
   * (`needs-history`) does not connect until they are restored: entries it could not decrypt
   * would otherwise move its cursors past them.
   */
  async start(attempt = 0): Promise<void> {
    try {
      this.state = await this.#client.crypto.setUp();
      if (this.state.kind === "new-identity") recoveryPending(loadSession()?.userId, true);
      else if (this.state.kind === "ready" && recoveryPending(loadSession()?.userId)) {
        const recoveryKey = await this.#client.crypto.recoveryKey().catch(() => undefined);
        if (recoveryKey) this.state = { kind: "new-identity", recoveryKey };
      }
    } catch (err) {
      if (this.#stopped) return;
      this.#onError(err);
      this.state = { kind: "unreachable" };
      this.#changed();
      this.#timer = setTimeout(
        () => {
          this.#timer = undefined;
          void this.start(attempt + 1);
        },
        fullJitterDelay(attempt, SETUP_RETRY),
      );
      return;
    }
    if (this.#stopped) return;
    this.#changed();
    if (this.state.kind !== "needs-history") this.#client.connect();
  }

  /** The recovery key shown once after sign-up has been saved: go on to the app. */
  acknowledgeRecoveryKey(): void {
    recoveryPending(loadSession()?.userId, false);
    this.recoveryKeySaved = true;
    this.#changed();
  }

  /** New device: restores the keys (and history) from the recovery key, then connects. */
  async restoreFromRecoveryKey(recoveryKey: string): Promise<void> {
    await this.#client.crypto.restoreFromRecoveryKey(recoveryKey.trim());
    this.#ready();
  }

  /** New device: offers a transfer from another device; resolves once the keys are here. */
  async startDeviceTransfer(): Promise<void> {
    const t = await this.#client.crypto.startDeviceTransfer();
    this.transfer = { qrPayload: t.qrPayload, shortCode: undefined };
    this.#changed();
    void t.shortCode.then(
      (code) => {
        if (this.transfer) this.transfer = { ...this.transfer, shortCode: code };
        this.#changed();
      },
      () => undefined,
    );
    try {
      await t.done;
    } finally {
      this.transfer = undefined;
      this.#changed();
    }
    this.#ready();
  }

  /** The network is back: while waiting to retry, retry now rather than after the backoff. */
  retryNow(): void {
    if (this.#stopped || this.state.kind !== "unreachable" || this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.start();
  }

  /** No more retries (sign-out, quick exit). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #ready(): void {
    this.state = { kind: "ready" };
    this.#changed();
    this.#client.connect();
  }
}
