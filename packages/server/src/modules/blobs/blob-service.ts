import {
  type BlobId,
  type BlobUploadResponse,
  bytesToBase64Url,
  type ConversationId,
  isBlobId,
} from "@hearth/protocol";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { RunInTransaction } from "../../storage/storage.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Session } from "../auth/auth-service.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { BlobMetaStore, BlobRecord } from "./blob-meta-store.ts";
import type { BlobStore } from "./blob-store.ts";

/** A new blob id: `blb_` and 128 bits from the platform CSPRNG. Only the server makes them. */
export function newBlobId(): BlobId {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `blb_${bytesToBase64Url(bytes)}` as BlobId;
}

/**
 * Encrypted attachments: members of a conversation upload opaque blobs into it and read them back.
 * The bytes go to the {@link BlobStore}, the metadata (conversation, uploader, size) to the {@link BlobMetaStore}.
 * Anyone who is not a member of the blob's conversation — another patient, another practice, the
 * practice admin — gets `not_found`, exactly as for a blob that does not exist. Uploads and reads are
 * audited (ids only), like history reads.
 */
export class BlobService {
  readonly #store: BlobMetaStore;
  readonly #conversations: ConversationStore;
  readonly #transaction: RunInTransaction;
  readonly #blobs: BlobStore;
  readonly #audit: AuditLog;
  readonly #maxBytes: number;
  readonly #quotaBytes: number;

  constructor(deps: {
    store: BlobMetaStore;
    /** The conversations module's membership, which decides who may read and write. */
    conversations: ConversationStore;
    transaction: RunInTransaction;
    blobs: BlobStore;
    audit: AuditLog;
    maxBlobBytes: number;
    blobQuotaBytes: number;
  }) {
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#transaction = deps.transaction;
    this.#blobs = deps.blobs;
    this.#audit = deps.audit;
    // A misconfigured limit (HEARTH_MAX_BLOB_BYTES=abc is NaN) would otherwise accept any size.
    if (!Number.isSafeInteger(deps.maxBlobBytes) || deps.maxBlobBytes < 1) {
      throw new RangeError("maxBlobBytes must be a positive whole number of bytes");
    }
    this.#maxBytes = deps.maxBlobBytes;
    if (!Number.isSafeInteger(deps.blobQuotaBytes) || deps.blobQuotaBytes < 0) {
      throw new RangeError("blobQuotaBytes must be a whole number of bytes");
    }
    this.#quotaBytes = deps.blobQuotaBytes;
  }

  /**
   * Refuses before any byte is read: not a member (`not_found`), a declared size over the limit
   * (`blob_too_large`) or over what is left of the user's quota (`blob_quota_exceeded`). Resolves
   * with the bytes the user may still store.
   */
  async #checkUpload(
    session: Session,
    conversationId: ConversationId,
    declaredBytes: number | undefined,
  ): Promise<number> {
    if (!(await this.#conversations.isMember(conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
    if (declaredBytes !== undefined && declaredBytes > this.#maxBytes)
      throw new HttpRefusal("blob_too_large");
    const left = this.#quotaBytes - (await this.#store.storedBlobBytes(session.user.id));
    if (left <= 0 || (declaredBytes !== undefined && declaredBytes > left))
      throw new HttpRefusal("blob_quota_exceeded");
    return left;
  }

  /**
   * Streams an upload into the blob store (never whole in memory), then records it. Over the limit
   * mid-stream: `blob_too_large`; over the user's quota (total ciphertext bytes of the blobs they
   * uploaded, `blobQuotaBytes`): `blob_quota_exceeded`. Either way nothing is stored.
   */
  async upload(
    session: Session,
    conversationId: ConversationId,
    body: AsyncIterable<Uint8Array>,
    declaredBytes: number | undefined,
  ): Promise<BlobUploadResponse> {
    const left = await this.#checkUpload(session, conversationId, declaredBytes);
    const id = newBlobId();
    // Streaming stops at whichever comes first, the size limit or the quota.
    const put = await this.#blobs.put(id, body, Math.min(this.#maxBytes, left));
    if (!put.ok) throw new HttpRefusal(left < this.#maxBytes ? "blob_quota_exceeded" : put.code);
    const record: BlobRecord = {
      id,
      conversationId,
      uploaderId: session.user.id,
      uploaderDeviceId: session.device.id,
      size: put.size,
      createdAt: new Date().toISOString(),
    };
    try {
      await this.#transaction(async (tx) => {
        // Checked again where it is recorded: concurrent uploads each saw the quota before the others.
        if ((await tx.blobs.storedBlobBytes(session.user.id)) + record.size > this.#quotaBytes)
          throw new HttpRefusal("blob_quota_exceeded");
        await tx.blobs.createBlob(record);
        await this.#audit.record("blob.upload", session.user.id, id, tx.audit);
      });
    } catch (err) {
      await this.#blobs.delete(id);
      throw err;
    }
    return { blobId: id, size: record.size, createdAt: record.createdAt };
  }

  /**
   * Deletes the bytes of blobs whose metadata is already gone: the last message that declared them
   * was deleted for everyone. Each is tried even when another fails; the first failure is rethrown.
   */
  async erase(blobIds: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(blobIds.map((id) => this.#blobs.delete(id)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Opens a blob for a member of its conversation; audited. Everyone else: `not_found`. */
  async open(session: Session, blobId: string): Promise<{ size: number; stream: AsyncIterable<Uint8Array> }> {
    if (!isBlobId(blobId)) throw new HttpRefusal("not_found");
    const meta = await this.#store.getBlob(blobId);
    if (!meta || !(await this.#conversations.isMember(meta.conversationId, session.user.id))) {
      throw new HttpRefusal("not_found");
    }
    const stored = await this.#blobs.get(blobId);
    // Metadata without bytes: the blob store lost it (or an operator removed it). Nothing to serve.
    if (!stored) throw new HttpRefusal("not_found");
    await this.#audit.record("blob.read", session.user.id, blobId);
    return stored;
  }
}
