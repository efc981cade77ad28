import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";

/** A device-transfer mailbox: relays one opaque message between two devices of one user. */
export interface TransferRecord {
  id: string;
  userId: UserId;
  body: Uint8Array | null;
  createdAt: string;
  expiresAt: string;
}

/**
 * The keys module's port (the MLS delivery service's directory): pinned identity keys, key
 * packages, each conversation's group state, archive keys and device-transfer mailboxes. Implemented
 * over SQL in `storage/kysely/keys-store.ts`; `test/stores/keys-suite.ts` is its conformance suite.
 */
export interface KeysStore {
  /** The user's pinned identity public key (base64), if set. */
  getIdentityKey(userId: UserId): Promise<string | null>;
  /** Pins the identity key if none is set; true if it is now `key` (set now or before). */
  setIdentityKey(userId: UserId, key: string): Promise<boolean>;
  /** Stores one-time key packages for a device; `lastResort` replaces the device's previous one. */
  addKeyPackages(
    deviceId: DeviceId,
    packages: Uint8Array[],
    lastResort: Uint8Array | null,
    at: string,
  ): Promise<void>;
  /** Number of one-time key packages left for a device. */
  countKeyPackages(deviceId: DeviceId): Promise<number>;
  /** Takes one key package for the device: a one-time one (deleted), else its last resort (kept). */
  claimKeyPackage(deviceId: DeviceId): Promise<Uint8Array | undefined>;
  /** The conversation's MLS epoch and latest group info. */
  getGroupState(
    conversationId: ConversationId,
  ): Promise<{ epoch: number; groupInfo: Uint8Array | null } | undefined>;

  /** The user's signed archive public key record (base64, opaque to the server), if published. */
  getArchiveKey(userId: UserId): Promise<string | null>;
  /** Publishes (replaces) the user's archive public key record. */
  setArchiveKey(userId: UserId, record: string): Promise<void>;
  /** Opens an empty device-transfer mailbox owned by one user. */
  createTransfer(t: { id: string; userId: UserId; createdAt: string; expiresAt: string }): Promise<void>;
  /** Reads a mailbox: only its owner, only before it expires at `at`; `undefined` otherwise. */
  getTransfer(id: string, userId: UserId, at: string): Promise<TransferRecord | undefined>;
  /**
   * Puts the message into an empty, live mailbox of the same user, atomically. `not_found` for
   * another user's, an expired or an unknown mailbox; `full` when it already holds a message.
   */
  putTransfer(id: string, userId: UserId, body: Uint8Array, at: string): Promise<"ok" | "not_found" | "full">;
  /**
   * Deletes one mailbox of the user, and every expired mailbox of anyone; false when the user had no
   * mailbox `id` (another user's is left alone).
   */
  deleteTransfer(id: string, userId: UserId, at: string): Promise<boolean>;
}
