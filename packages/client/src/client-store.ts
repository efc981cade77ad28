import type { ConversationId, ConversationSummary, DeviceId, MessageId, UserId } from "@hearth/protocol";
import type { MessageContent, UndecryptableReason } from "./payload-codec.ts";

/** A message (or deletion) waiting for the server's ack. It survives disconnects and restarts. */
export interface OutboxItem {
  kind: "send" | "delete";
  conversationId: ConversationId;
  /** The entry's client-generated id: the message id, or the tombstone id for a delete. */
  messageId: MessageId;
  /** For a delete: the message being deleted. */
  target?: MessageId;
  /** For a send: the encoded payload, base64. Encoded once, so every retry is byte-identical. */
  body?: string;
  /**
   * For a send: what the message says, kept on this device only (like a delivered message's
   * content) so a pending message can be shown after a reload. Never sent: `body` is.
   */
  content?: MessageContent;
  /** Wall-clock time it was queued (ms). */
  createdAt: number;
  /** Strictly increasing queue position; the outbox sends in this order. */
  position: number;
}

/**
 * A delivered log entry as kept on the device: decoded, without the ciphertext. Deleting a message
 * for everyone replaces its stored copy with `kind: "deleted"` and no content.
 */
export interface StoredMessage {
  conversationId: ConversationId;
  seq: number;
  messageId: MessageId;
  senderId: UserId;
  senderDeviceId: DeviceId;
  sentAt: string;
  /**
   * - `message`: a message; `content` is set, or `undecryptable` says why it could not be read.
   * - `deleted`: a message that was deleted for everyone before this device received it (no content).
   * - `tombstone`: the deletion itself; `target` is the deleted message (drop its content on screen).
   * - `commit`: an MLS handshake entry, for the crypto layer.
   */
  kind: "message" | "deleted" | "tombstone" | "commit";
  content?: MessageContent;
  undecryptable?: UndecryptableReason;
  /** For a tombstone: the deleted message. */
  target?: MessageId;
}

/**
 * Where the SDK keeps what must outlive a connection: per-conversation cursors (the last seq
 * delivered to the app), the outbox, the local message list, and the conversation list as the
 * server last gave it (so a device opened without a network still knows titles, members, names
 * and marks, and can encrypt to the members). The default is in memory
 * ({@link MemoryClientStore}); a browser persists it (IndexedDB). Every method may be async.
 *
 * Consistency: `saveDelivered` must store the message and move the cursor together (one
 * transaction), so a crash never leaves a cursor ahead of the messages it counts.
 */
export interface ClientStore {
  /** Every conversation's cursor. */
  loadCursors(): Promise<Record<string, number>>;
  /** Sets one cursor (for resuming from a known position; `saveDelivered` moves it normally). */
  saveCursor(conversationId: ConversationId, seq: number): Promise<void>;
  /**
   * Keeps a delivered entry and moves its conversation's cursor to `message.seq`. A tombstone also
   * erases its target's stored content.
   */
  saveDelivered(message: StoredMessage): Promise<void>;
  /** Up to `limit` stored messages of a conversation with seq < `beforeSeq`, oldest first. */
  loadMessages(
    conversationId: ConversationId,
    opts?: { beforeSeq?: number; limit?: number },
  ): Promise<StoredMessage[]>;
  /** The outbox, in any order (the SDK sorts by `position`). */
  loadOutbox(): Promise<OutboxItem[]>;
  putOutbox(item: OutboxItem): Promise<void>;
  removeOutbox(messageId: MessageId): Promise<void>;
  /**
   * The conversation list as last saved (members with their names and marks, last and read seq,
   * unread counts), or `[]` if none was. What a device opened without a network shows.
   */
  loadConversations(): Promise<ConversationSummary[]>;
  /** Replaces the saved conversation list (after each successful fetch, and as marks move). */
  saveConversations(conversations: readonly ConversationSummary[]): Promise<void>;
}
