import type { ConversationId, UserId } from "@hearth/protocol";

/**
 * What the delivery module tells other modules after the fact (the notify module's email fallback,
 * later push): a message was stored, a user read up to a seq. Called after the write committed,
 * never awaited and never on the ack path; a listener must not throw (its own errors are its own).
 * Recipients are the conversation's members other than the sender; the listener looks them up.
 */
export interface DeliveryEvents {
  /** A new message (not a resend, delete or commit) was stored at `seq`. */
  messageStored(e: { conversationId: ConversationId; seq: number; senderId: UserId }): void;
  /** `userId`'s read watermark in the conversation moved up to `seq` (private reads included). */
  readUpTo(e: { conversationId: ConversationId; userId: UserId; seq: number }): void;
}
