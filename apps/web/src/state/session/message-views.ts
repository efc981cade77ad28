import type { AttachmentRef, HearthClient, OutboxItem, StoredMessage } from "@hearth/client";
import type { ConversationId, MessageId } from "@hearth/protocol";

/** A message as the chat shows it. */
export interface ChatMessage {
  messageId: MessageId;
  /** Undefined while it waits for the server's ack. */
  seq: number | undefined;
  senderId: string;
  sentAt: string;
  own: boolean;
  text: string | undefined;
  replyTo: MessageId | undefined;
  /** A shared file (encrypted on the sender's device; the key travels inside the message). */
  attachment: AttachmentRef | undefined;
  deleted: boolean;
  undecryptable: boolean;
  failed: boolean;
}

/** One conversation as loaded for the chat screen. */
interface Loaded {
  byId: Map<string, ChatMessage>;
  /** Stored messages in seq order, then pending ones in send order. */
  list: ChatMessage[];
  version: number;
}

/** What a pending message of mine is made of: the one way a bubble that waits for its ack is built. */
export interface PendingContent {
  messageId: MessageId;
  sentAt: string;
  text: string | undefined;
  replyTo?: MessageId | undefined;
  attachment?: AttachmentRef | undefined;
}

/**
 * The messages of each opened conversation as the chat shows them: loaded from this device's store
 * and the outbox, then kept current from the SDK's events (acks, failures, deletions). Each
 * conversation has a version that changes whenever one of its messages changes in place.
 */
export class MessageViews {
  readonly #client: HearthClient;
  readonly #userId: string;
  readonly #changed: (now?: boolean) => void;
  readonly #loaded = new Map<string, Loaded>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(client: HearthClient, userId: string, changed: (now?: boolean) => void) {
    this.#client = client;
    this.#userId = userId;
    this.#changed = changed;
  }

  /** Loads a conversation's messages from this device's store (then keeps it current). */
  open(conversationId: string): Promise<void> {
    const existing = this.#loading.get(conversationId);
    if (existing) return existing;
    const p = (async () => {
      const stored = await this.#client.localMessages(conversationId as ConversationId, {
        limit: Number.MAX_SAFE_INTEGER,
      });
      const loaded: Loaded = this.#loaded.get(conversationId) ?? { byId: new Map(), list: [], version: 0 };
      const live = loaded.list;
      loaded.list = [];
      loaded.byId.clear();
      for (const m of stored) this.#apply(loaded, m);
      // Messages that arrived while loading (already in the store or not): merge by id.
      for (const m of live) {
        if (!loaded.byId.has(m.messageId)) {
          loaded.byId.set(m.messageId, m);
          loaded.list.push(m);
        }
      }
      // Queued but not yet acked (also from before a reload): shown as pending.
      for (const item of this.#client.pendingItems()) {
        if (item.conversationId !== conversationId) continue;
        if (item.kind === "delete") {
          const target = item.target ? loaded.byId.get(item.target) : undefined;
          if (target) target.deleted = true;
          continue;
        }
        if (loaded.byId.has(item.messageId)) continue;
        const msg = this.#pending(readOutboxItem(item));
        loaded.byId.set(msg.messageId, msg);
        loaded.list.push(msg);
      }
      this.#sort(loaded);
      this.#loaded.set(conversationId, loaded);
      this.#changed(true);
    })();
    this.#loading.set(conversationId, p);
    p.catch(() => this.#loading.delete(conversationId));
    return p;
  }

  /** The loaded messages of a conversation, oldest first, and a version that changes with them. */
  list(conversationId: string): { list: readonly ChatMessage[]; version: number } | undefined {
    const loaded = this.#loaded.get(conversationId);
    if (!loaded) return undefined;
    // Acked messages that went out of order behind pending ones are put back in seq order.
    const list = loaded.list;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]?.seq;
      const b = list[i]?.seq;
      if (a !== undefined && b !== undefined && a > b) {
        this.#sort(loaded);
        break;
      }
      if (a === undefined && b !== undefined) {
        this.#sort(loaded);
        break;
      }
    }
    return { list: loaded.list, version: loaded.version };
  }

  /** One loaded message, by id (for showing what a reply answers). */
  message(conversationId: string, messageId: string): ChatMessage | undefined {
    return this.#loaded.get(conversationId)?.byId.get(messageId);
  }

  /** A message event from the SDK (stored, so it has a seq), into its conversation if loaded. */
  received(m: StoredMessage): void {
    const loaded = this.#loaded.get(m.conversationId);
    if (loaded) this.#apply(loaded, m);
  }

  /** One of my messages was queued: it shows at once as pending (unless already there). */
  addPending(conversationId: string, content: PendingContent): void {
    const loaded = this.#loaded.get(conversationId);
    if (!loaded || loaded.byId.has(content.messageId)) return;
    const msg = this.#pending(content);
    loaded.byId.set(msg.messageId, msg);
    loaded.list.push(msg);
    this.#bump(loaded);
  }

  /** The server acked one of my messages. */
  acked(conversationId: string, messageId: string, seq: number, sentAt: string): void {
    this.#update(conversationId, messageId, (msg) => {
      msg.seq = seq;
      msg.sentAt = sentAt;
    });
  }

  /** The server refused one of my messages. */
  failed(conversationId: string, messageId: string): void {
    this.#update(conversationId, messageId, (msg) => {
      msg.failed = true;
    });
  }

  /** I deleted one of my messages for everyone. */
  deleted(conversationId: string, messageId: string): void {
    this.#update(conversationId, messageId, (msg) => {
      msg.deleted = true;
      msg.text = undefined;
    });
  }

  /**
   * Takes one of my messages that the server refused off the screen; false if there is no such
   * message.
   */
  forgetFailed(conversationId: string, messageId: string): boolean {
    const loaded = this.#loaded.get(conversationId);
    const msg = loaded?.byId.get(messageId);
    if (!loaded || !msg?.own || !msg.failed) return false;
    loaded.byId.delete(messageId);
    loaded.list = loaded.list.filter((m) => m !== msg);
    this.#bump(loaded);
    return true;
  }

  /** Something the bubbles show changed outside them (receipts moved): redraw the conversation. */
  touch(conversationId: string): void {
    const loaded = this.#loaded.get(conversationId);
    if (loaded) this.#bump(loaded);
  }

  #update(conversationId: string, messageId: string, change: (msg: ChatMessage) => void): void {
    const loaded = this.#loaded.get(conversationId);
    const msg = loaded?.byId.get(messageId);
    if (loaded && msg) {
      change(msg);
      this.#bump(loaded);
    }
  }

  #pending(content: PendingContent): ChatMessage {
    return {
      messageId: content.messageId,
      seq: undefined,
      senderId: this.#userId,
      sentAt: content.sentAt,
      own: true,
      text: content.text,
      replyTo: content.replyTo,
      attachment: content.attachment,
      deleted: false,
      undecryptable: false,
      failed: false,
    };
  }

  #toChat(m: StoredMessage): ChatMessage {
    return {
      messageId: m.messageId,
      seq: m.seq,
      senderId: m.senderId,
      sentAt: m.sentAt,
      own: m.senderId === this.#userId,
      text: m.content?.text,
      replyTo: m.content?.replyTo,
      attachment: m.content?.attachment,
      deleted: m.kind === "deleted",
      undecryptable: m.kind === "message" && m.undecryptable !== undefined,
      failed: false,
    };
  }

  #apply(loaded: Loaded, m: StoredMessage): void {
    if (m.kind === "commit") return;
    if (m.kind === "tombstone") {
      const target = m.target ? loaded.byId.get(m.target) : undefined;
      if (target) {
        target.deleted = true;
        target.text = undefined;
        target.replyTo = undefined;
        this.#bump(loaded);
      }
      return;
    }
    const existing = loaded.byId.get(m.messageId);
    if (existing) {
      // The echo of my own message: it confirms the pending bubble.
      existing.seq = m.seq;
      existing.sentAt = m.sentAt;
      existing.failed = false;
      this.#bump(loaded);
      return;
    }
    const msg = this.#toChat(m);
    loaded.byId.set(msg.messageId, msg);
    loaded.list.push(msg);
    this.#bump(loaded);
  }

  #sort(loaded: Loaded): void {
    loaded.list.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
    this.#bump(loaded);
  }

  #bump(loaded: Loaded): void {
    loaded.version++;
  }
}

/** What a queued message says: the SDK keeps its content on this device (its body is encrypted). */
function readOutboxItem(item: OutboxItem): PendingContent {
  const content = item.content;
  return {
    messageId: item.messageId,
    sentAt: new Date(item.createdAt).toISOString(),
    // An item queued by an older version kept no content: say what it is instead.
    text: content ? content.text : "A message you wrote earlier, waiting to be sent.",
    replyTo: content?.replyTo,
    attachment: content?.attachment,
  };
}
