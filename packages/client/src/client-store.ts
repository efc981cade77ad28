import type { ConversationId, MessageId } from "@hearth/protocol";

/** A message (or deletion) waiting for the server's ack. It survives disconnects. */
export interface OutboxItem {
  kind: "send" | "delete";
  conversationId: ConversationId;
  /** The entry's client-generated id: the message id, or the tombstone id for a delete. */
  messageId: MessageId;
  /** For a delete: the message being deleted. */
  target?: MessageId;
  /** For a send: the encoded payload, base64. Encoded once, so every retry is byte-identical. */
  body?: string;
  createdAt: number;
}

/**
 * Where the SDK keeps what must outlive a connection: per-conversation cursors (last seq delivered
 * to the app) and the outbox. The default is in memory; a browser can persist it (IndexedDB).
 */
export interface ClientStore {
  loadCursors(): Promise<Record<string, number>>;
  saveCursor(conversationId: ConversationId, seq: number): Promise<void>;
  loadOutbox(): Promise<OutboxItem[]>;
  putOutbox(item: OutboxItem): Promise<void>;
  removeOutbox(messageId: MessageId): Promise<void>;
}

/** The in-memory store: lives as long as the client object. */
export class MemoryClientStore implements ClientStore {
  readonly #cursors = new Map<string, number>();
  readonly #outbox = new Map<string, OutboxItem>();

  async loadCursors() {
    return Object.fromEntries(this.#cursors);
  }
  async saveCursor(conversationId: ConversationId, seq: number) {
    this.#cursors.set(conversationId, seq);
  }
  async loadOutbox() {
    return [...this.#outbox.values()];
  }
  async putOutbox(item: OutboxItem) {
    this.#outbox.set(item.messageId, item);
  }
  async removeOutbox(messageId: MessageId) {
    this.#outbox.delete(messageId);
  }
}
