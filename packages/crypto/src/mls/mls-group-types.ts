import type { CryptoErrorCode } from "../error-codes.ts";

/** One leaf of the group: a device of a user, as certified by that user's identity key. */
export interface MlsMember {
  readonly leafIndex: number;
  readonly userId: string;
  readonly deviceId: string;
  readonly signaturePublicKey: Uint8Array;
}

/**
 * A commit this device created but has not applied yet. The delivery service orders commits
 * (the first valid one for an epoch wins), so the group applies it only on
 * {@link MlsGroup.confirmPendingCommit}, or drops it when another member's commit wins.
 */
export interface PendingCommit {
  /** Encoded MLSMessage carrying the commit: send to the delivery service. */
  readonly commit: Uint8Array;
  /**
   * Encoded MLSMessage(Welcome) for added members, if this commit added any. Send it only once
   * the commit is accepted. (When the group first needs an update, the additions come in the
   * follow-up commit returned by {@link MlsGroup.confirmPendingCommit}, with its own welcome.)
   */
  readonly welcome: Uint8Array | undefined;
  /** The epoch the commit moves the group to. */
  readonly epoch: bigint;
}

/** Failure codes {@link MlsGroup.processMessage} can report. */
export type MlsFailureCode = Extract<
  CryptoErrorCode,
  | "mls_message_malformed"
  | "mls_wrong_group"
  | "mls_stale_epoch"
  | "mls_future_epoch"
  | "mls_unauthenticated"
  | "mls_rejected"
  | "mls_insecure_epoch"
>;

/** What an incoming MLS message did. */
export type MlsIncoming =
  | { readonly kind: "application"; readonly plaintext: Uint8Array; readonly sender: MlsMember | undefined }
  | {
      readonly kind: "commit";
      readonly epoch: bigint;
      /** True when this was our own pending commit coming back from the delivery service. */
      readonly own: boolean;
      readonly added: readonly MlsMember[];
      readonly removed: readonly MlsMember[];
      /** True when this device was removed by the commit: the group is no longer usable. */
      readonly removedSelf: boolean;
      /**
       * True when the new epoch is tainted (see {@link MlsGroup.needsUpdate}): call
       * {@link MlsGroup.update} and send that commit before sending messages.
       */
      readonly needsUpdate: boolean;
      /** For our own commit: a follow-up commit that is now pending and must be sent next. */
      readonly nextCommit?: PendingCommit | undefined;
    }
  | { readonly kind: "proposal" }
  | { readonly kind: "error"; readonly code: MlsFailureCode };
