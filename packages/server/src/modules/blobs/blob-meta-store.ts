import type { BlobId, ConversationId, DeviceId, UserId } from "@hearth/protocol";

/** An encrypted attachment's metadata; the bytes live in the BlobStore and are opaque ciphertext. */
export interface BlobRecord {
  id: BlobId;
  conversationId: ConversationId;
  uploaderId: UserId;
  uploaderDeviceId: DeviceId;
  /** Stored (ciphertext) bytes. */
  size: number;
  createdAt: string;
}

/**
 * The blobs module's metadata port (which conversation a blob belongs to, who uploaded it, its
 * size); the bytes themselves go through {@link BlobStore} (`blob-store.ts`). Implemented over SQL
 * in `storage/kysely/blob-meta-store.ts`; `test/stores/blob-meta-suite.ts` is its conformance suite.
 */
export interface BlobMetaStore {
  /** Records an uploaded blob (after its bytes are stored). */
  createBlob(b: BlobRecord): Promise<void>;
  /** A blob's metadata, if it exists. */
  getBlob(id: BlobId): Promise<BlobRecord | undefined>;
  /** Total stored size (ciphertext bytes) of the blobs this user uploaded; 0 when none. */
  storedBlobBytes(userId: UserId): Promise<number>;
}
