import type {
  AttachmentRef,
  ConversationMessage,
  ConversationView,
  HearthClient,
  MessageStatus,
} from "@hearth/client";
import type { ConversationId, ConversationSummary, MessageId, UserId } from "@hearth/protocol";
import type { Watermarks } from "../../storage/idb-client-store.ts";
import { checkinSummary } from "./checkin-summary.ts";

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
  /** Its author edited it (`text` is the latest edit); the SDK's view applied the edits. */
  edited: boolean;
  /** Can I edit it now (mine, sent, text, within the SDK's edit window)? */
  editable: boolean;
  deleted: boolean;
  undecryptable: boolean;
  failed: boolean;
  /** Where one of my messages stands, as the SDK's view says (others' are `sent`). */
  status: MessageStatus;
}

/** One opened conversation: the SDK's view, and its messages mapped for the chat (per version). */
interface Opened {
  view: ConversationView;
  loaded: boolean;
  version: number;
  list: ChatMessage[];
  byId: Map<string, ChatMessage>;
}

/**
 * The messages of each opened conversation as the chat shows them. Order, pending messages (read
 * back from the outbox), acks, failures, deletions and statuses are the SDK's view model
 * (`client.conversation(id)`); this only maps its messages to the chat's shape.
 */
export class MessageViews {
  readonly #client: HearthClient;
  readonly #userId: string;
  readonly #changed: () => void;
  /** Called once per conversation before it loads: members and remembered receipts go in. */
  readonly #seed: (conversationId: string) => void;
  readonly #opened = new Map<string, Opened>();

  constructor(
    client: HearthClient,
    userId: string,
    changed: () => void,
    seed: (conversationId: string) => void,
  ) {
    this.#client = client;
    this.#userId = userId;
    this.#changed = changed;
    this.#seed = seed;
  }

  /** Loads a conversation's messages from this device's store (then keeps it current). */
  async open(conversationId: string): Promise<void> {
    let opened = this.#opened.get(conversationId);
    if (!opened) {
      const view = this.#client.conversation(conversationId as ConversationId);
      opened = { view, loaded: false, version: -1, list: [], byId: new Map() };
      this.#opened.set(conversationId, opened);
      view.on("change", () => this.#changed());
      this.#seed(conversationId);
    }
    await opened.view.load();
    opened.loaded = true;
  }

  /** The conversations opened so far. */
  ids(): IterableIterator<string> {
    return this.#opened.keys();
  }

  /** The loaded messages of a conversation, oldest first, and a version that changes with them. */
  list(conversationId: string): { list: readonly ChatMessage[]; version: number } | undefined {
    const opened = this.#opened.get(conversationId);
    if (!opened?.loaded) return undefined;
    this.#map(opened);
    return { list: opened.list, version: opened.version };
  }

  /** One loaded message, by id (for showing what a reply answers). */
  message(conversationId: string, messageId: string): ChatMessage | undefined {
    const opened = this.#opened.get(conversationId);
    if (!opened?.loaded) return undefined;
    this.#map(opened);
    return opened.byId.get(messageId);
  }

  /**
   * The conversation as the list has it: whose receipts count for the statuses of my messages,
   * and the marks they have there (receipts sent while this device was offline are only there).
   */
  setSummary(summary: ConversationSummary): void {
    this.#opened.get(summary.conversationId)?.view.setSummary(summary);
  }

  /** The others' delivered and read marks that this device remembers from live receipts. */
  setWatermarks(conversationId: string, marks: ReadonlyMap<string, Watermarks>): void {
    const view = this.#opened.get(conversationId)?.view;
    if (!view) return;
    for (const [userId, w] of marks) {
      view.setWatermark(userId, "delivered", w.delivered);
      view.setWatermark(userId, "read", w.read);
    }
  }

  /**
   * Takes one of my messages that the server refused off the screen; false if there is no such
   * message.
   */
  forgetFailed(conversationId: string, messageId: string): boolean {
    const view = this.#opened.get(conversationId)?.view;
    const m = view?.message(messageId);
    if (!view || !m?.own || m.status !== "failed") return false;
    view.forget(messageId);
    return true;
  }

  /** Edits one of my messages (the SDK's view checks and applies it; see `ConversationView.edit`). */
  async edit(conversationId: string, messageId: MessageId, text: string): Promise<void> {
    const view = this.#opened.get(conversationId)?.view;
    if (!view) throw new Error("edit: that conversation is not open");
    await view.edit(messageId, text);
  }

  /** Deletes one of my messages for everyone, with its edits (see `ConversationView.delete`). */
  async delete(conversationId: string, messageId: MessageId): Promise<boolean> {
    const view = this.#opened.get(conversationId)?.view;
    if (!view) return false;
    await view.delete(messageId);
    return true;
  }

  /** Stops following the SDK (the session ends). */
  close(): void {
    for (const { view } of this.#opened.values()) view.close();
    this.#opened.clear();
  }

  /** Maps the view's messages for the chat once per version of the view. */
  #map(opened: Opened): void {
    if (opened.version === opened.view.version) return;
    opened.version = opened.view.version;
    opened.list = opened.view.messages.map((m) => this.#toChat(m, opened.view));
    opened.byId = new Map(opened.list.map((m) => [m.messageId, m]));
  }

  #toChat(m: ConversationMessage, view: ConversationView): ChatMessage {
    // An item queued by an older version kept no content: say what it is instead.
    const unknown = m.own && m.content === undefined && !m.deleted && m.undecryptable === undefined;
    return {
      messageId: m.messageId,
      seq: m.seq,
      senderId: m.senderId ?? (this.#userId as UserId),
      sentAt: m.sentAt,
      own: m.own,
      text: unknown
        ? "A message you wrote earlier, waiting to be sent."
        : (checkinSummary(m.content) ?? m.content?.text),
      replyTo: m.content?.replyTo,
      attachment: m.content?.attachment,
      edited: m.edited !== undefined,
      // A check-in or a plan is not text to edit.
      editable: m.own && m.seq !== undefined && m.content?.kind === undefined && view.canEdit(m.messageId),
      deleted: m.deleted,
      undecryptable: m.undecryptable !== undefined,
      failed: m.status === "failed",
      status: m.status,
    };
  }
}
