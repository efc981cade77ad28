import type { BlobId, ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";

/** One stored entry of a conversation's ordered log. `body` is opaque ciphertext. */
export interface EntryRecord {
  conversationId: ConversationId;
  seq: number;
  messageId: MessageId;
  senderId: UserId;
  senderDeviceId: DeviceId;
  sentAt: string;
  kind: "message" | "delete" | "commit";
  body: Uint8Array | null;
  target: MessageId | null;
  deleted: boolean;
  /** For a commit: the epoch it was made in (the group moves to epoch + 1). */
  epoch: number | null;
}

/** A request to append one entry; the store assigns `seq` and `sentAt`. */
export interface AppendRequest {
  conversationId: ConversationId;
  messageId: MessageId;
  senderId: UserId;
  senderDeviceId: DeviceId;
  kind: "message" | "delete" | "commit";
  body: Uint8Array | null;
  target: MessageId | null;
  /** For a commit: the epoch it was made in; it must equal the conversation's current epoch. */
  epoch?: number;
  /** For a commit: welcomes for the devices it adds. */
  welcomes?: { deviceId: DeviceId; body: Uint8Array }[];
  /** For a commit: the new epoch's group info (for external joins). */
  groupInfo?: Uint8Array | null;
  /**
   * For a message: the blobs it refers to, as the sender declared them (each uploaded by the sender
   * into this conversation, else the append is refused with `not_found` at `blobIds`).
   */
  blobIds?: BlobId[];
}

/** The outcome of one append: the stored entry (possibly an earlier one, for a resend) or a refusal. */
export type AppendResult =
  | {
      ok: true;
      entry: EntryRecord;
      duplicate: boolean;
      /**
       * For a delete: the blobs whose metadata went with the deleted message (no other message refers
       * to them); their bytes are the caller's to delete from the BlobStore.
       */
      erasedBlobIds?: BlobId[];
    }
  | { ok: false; code: "not_found" | "not_sender" | "message_conflict"; path?: "blobIds" }
  | { ok: false; code: "stale_commit"; epoch: number };

/** A receipt watermark move. */
export interface WatermarkUpdate {
  conversationId: ConversationId;
  userId: UserId;
  kind: "delivered" | "read";
  seq: number;
  /** A read the member keeps private: moves their own marker only, not the one others see. */
  private?: boolean;
}

/** A welcome waiting for its device. */
export interface WelcomeRecord {
  deviceId: DeviceId;
  conversationId: ConversationId;
  seq: number;
  body: Uint8Array;
}

/**
 * The delivery module's port: each conversation's ordered log (gap-free seqs, idempotent appends,
 * deletes that take the blobs only they declared, MLS commits), receipt watermarks, and the welcomes a commit leaves for new devices.
 * Implemented over SQL in `storage/kysely/delivery-store.ts`; `test/stores/delivery-suite.ts` is
 * its conformance suite.
 */
export interface DeliveryStore {
  /**
   * Appends entries in order, in one transaction (group commit). Each conversation's `seq` is
   * assigned gap-free in the same transaction that stores the entry. A request whose messageId is
   * already stored for that conversation returns the stored entry with `duplicate: true`.
   */
  append(requests: AppendRequest[]): Promise<AppendResult[]>;
  /** Entries with seq > after, ascending, at most `limit`. */
  entriesAfter(conversationId: ConversationId, after: number, limit: number): Promise<EntryRecord[]>;
  /** Moves watermarks forward (never back), in one transaction; returns the ones that moved. */
  updateWatermarks(updates: WatermarkUpdate[]): Promise<WatermarkUpdate[]>;
  /** Welcomes waiting for a device, oldest first. */
  listWelcomes(deviceId: DeviceId): Promise<WelcomeRecord[]>;
  /** Forgets a device's welcomes for a conversation (it has joined). */
  deleteWelcomes(deviceId: DeviceId, conversationId: ConversationId): Promise<void>;
}
