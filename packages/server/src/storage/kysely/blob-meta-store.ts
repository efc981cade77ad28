import type { BlobId, ConversationId, DeviceId, UserId } from "@hearth/protocol";
import type { BlobMetaStore, BlobRecord } from "../../modules/blobs/blob-meta-store.ts";
import type { Db } from "./storage-dialect.ts";

/** The blob metadata port over SQL (table `blobs`). */
export class KyselyBlobMetaStore implements BlobMetaStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async createBlob(b: BlobRecord) {
    await this.#db
      .insertInto("blobs")
      .values({
        id: b.id,
        conversation_id: b.conversationId,
        uploader_id: b.uploaderId,
        uploader_device_id: b.uploaderDeviceId,
        size: b.size,
        created_at: b.createdAt,
      })
      .execute();
  }

  async storedBlobBytes(userId: UserId) {
    const r = await this.#db
      .selectFrom("blobs")
      .select((eb) => eb.fn.sum<number | string | bigint | null>("size").as("bytes"))
      .where("uploader_id", "=", userId)
      .executeTakeFirst();
    // SUM is NULL over no rows; PostgreSQL hands back a numeric sum as a string.
    return Number(r?.bytes ?? 0);
  }

  async getBlob(id: BlobId) {
    const r = await this.#db.selectFrom("blobs").selectAll().where("id", "=", id).executeTakeFirst();
    return (
      r && {
        id: r.id as BlobId,
        conversationId: r.conversation_id as ConversationId,
        uploaderId: r.uploader_id as UserId,
        uploaderDeviceId: r.uploader_device_id as DeviceId,
        // PostgreSQL hands back bigint as a string.
        size: Number(r.size),
        createdAt: r.created_at,
      }
    );
  }
}
