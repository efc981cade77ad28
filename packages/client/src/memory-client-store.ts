import type { ConversationId, ConversationSummary, MessageId } from "@hearth/protocol";
import type { ClientStore, OutboxItem, StoredMessage } from "./client-store.ts";

/**
 * The in-memory {@link ClientStore}: lives as long as the object. Keeps at most
 * `maxMessagesPerConversation` recent messages per conversation (default 1,000; 0 keeps none).
 *
 * @example
 * const store = new MemoryClientStore();
 * const client = new HearthClient({ baseUrl, token, store, encryption: { keyStore } });
 */
export class MemoryClientStore implements ClientStore {
  readonly #cursors = new Map<string, number>();
  readonly #outbox = new Map<string, OutboxItem>();
  readonly #messages = new Map<string, StoredMessage[]>();
  #conversations: ConversationSummary[] = [];
  readonly #max: number;

  constructor(options: { maxMessagesPerConversation?: number } = {}) {
    this.#max = options.maxMessagesPerConversation ?? 1000;
  }

  async loadCursors() {
    return Object.fromEntries(this.#cursors);
  }
  async saveCursor(conversationId: ConversationId, seq: number) {
    this.#cursors.set(conversationId, seq);
  }
  async saveDelivered(message: StoredMessage) {
    this.#cursors.set(message.conversationId, message.seq);
    if (this.#max === 0) return;
    let list = this.#messages.get(message.conversationId);
    if (!list) {
      list = [];
      this.#messages.set(message.conversationId, list);
    }
    if (message.kind === "tombstone" && message.target) {
      const i = list.findIndex((m) => m.messageId === message.target);
      const old = list[i];
      if (old) list[i] = { ...withoutContent(old), kind: "deleted" };
    }
    list.push(message);
    if (list.length > this.#max) list.splice(0, list.length - this.#max);
  }
  async loadMessages(conversationId: ConversationId, opts: { beforeSeq?: number; limit?: number } = {}) {
    const list = this.#messages.get(conversationId) ?? [];
    const before = opts.beforeSeq ?? Number.POSITIVE_INFINITY;
    const older = list.filter((m) => m.seq < before);
    return older.slice(Math.max(0, older.length - (opts.limit ?? 100)));
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
  async loadConversations() {
    return structuredClone(this.#conversations);
  }
  async saveConversations(conversations: readonly ConversationSummary[]) {
    // A copy: the caller goes on changing its own objects (unread counts, marks).
    this.#conversations = structuredClone([...conversations]);
  }
}

function withoutContent(m: StoredMessage): StoredMessage {
  const { content: _c, undecryptable: _u, ...rest } = m;
  return rest;
}
