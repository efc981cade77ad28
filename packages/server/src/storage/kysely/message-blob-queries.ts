import type { BlobId } from "@hearth/protocol";
import type { Db } from "./storage-dialect.ts";

/**
 * Which blobs each message refers to, as its sender declared them (`send.blobIds`): the server
 * cannot read the references inside the encrypted payload. Used to delete a blob once every message
 * that declared it has been deleted for everyone. Same SQL on SQLite and PostgreSQL.
 */
export const messageBlobQueries = {
  /** True when every id is a blob `senderId` uploaded into the conversation. */
  async mayAttach(db: Db, conversationId: string, senderId: string, blobIds: string[]): Promise<boolean> {
    const ids = [...new Set(blobIds)];
    const own = await db
      .selectFrom("blobs")
      .select("id")
      .where("id", "in", ids)
      .where("conversation_id", "=", conversationId)
      .where("uploader_id", "=", senderId)
      .execute();
    return own.length === ids.length;
  },

  /** Records the message's references (after {@link messageBlobQueries.mayAttach}). */
  async attach(db: Db, conversationId: string, messageId: string, blobIds: string[]): Promise<void> {
    const ids = [...new Set(blobIds)];
    await db
      .insertInto("message_blobs")
      .values(ids.map((blob_id) => ({ conversation_id: conversationId, message_id: messageId, blob_id })))
      .execute();
  },

  /**
   * Forgets a deleted message's references and deletes the metadata of each blob no other message
   * refers to any more; returns those blobs' ids (their bytes are for the caller to delete).
   */
  async detach(db: Db, conversationId: string, messageId: string): Promise<BlobId[]> {
    const refs = (
      await db
        .selectFrom("message_blobs")
        .select("blob_id")
        .where("conversation_id", "=", conversationId)
        .where("message_id", "=", messageId)
        .execute()
    ).map((r) => r.blob_id as BlobId);
    if (refs.length === 0) return [];
    await db
      .deleteFrom("message_blobs")
      .where("conversation_id", "=", conversationId)
      .where("message_id", "=", messageId)
      .execute();
    const still = new Set(
      (await db.selectFrom("message_blobs").select("blob_id").where("blob_id", "in", refs).execute()).map(
        (r) => r.blob_id,
      ),
    );
    const gone = refs.filter((id) => !still.has(id));
    if (gone.length > 0) await db.deleteFrom("blobs").where("id", "in", gone).execute();
    return gone;
  },
};
