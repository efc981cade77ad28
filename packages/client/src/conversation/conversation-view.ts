import type { ConversationId, ConversationSummary, MessageId, UserId } from "@hearth/protocol";
import type { SendFailureCode } from "../client-events.ts";
import type { OutboxItem, StoredMessage } from "../client-store.ts";
import { Emitter } from "../emitter.ts";
import type { HearthClient } from "../hearth-client.ts";
import { MAX_TEXT_LENGTH, type MessageContent, type UndecryptableReason } from "../payload-codec.ts";
import { EDIT_WINDOW_MS, type EditEntry, isEditable, MessageEdits } from "./message-edits.ts";

/**
 * Where one of this user's messages stands: queued on this device (`pending`), stored by the server
 * (`sent`), received by every other member (`delivered`), seen by every other member (`read`), or
 * refused for good (`failed`, with its code in {@link ConversationMessage.failure}). Others'
 * messages are `sent`.
 */
export type MessageStatus = "pending" | "sent" | "delivered" | "read" | "failed";

/** A message as a conversation screen shows it. */
export interface ConversationMessage {
  messageId: MessageId;
  /** Undefined while it waits for the server's ack (or after it failed). */
  seq: number | undefined;
  /** Undefined only for a pending message before this client is signed in. */
  senderId: UserId | undefined;
  sentAt: string;
  own: boolean;
  /**
   * What it says (with its author's latest edit applied); read back from the local outbox while
   * pending. Undefined when deleted or unreadable.
   */
  content: MessageContent | undefined;
  /**
   * Set once its author edited it: when (the latest edit's `sentAt`) and the earlier texts, oldest
   * first. The earlier texts are on this device only (in its store), for whoever asks to see them.
   */
  edited: { at: string; earlier: readonly string[] } | undefined;
  deleted: boolean;
  /** Why it could not be read, if it could not. */
  undecryptable: UndecryptableReason | undefined;
  status: MessageStatus;
  /** For `failed`: the server's code (or `client_closed`). */
  failure: SendFailureCode | undefined;
}

/** Events of a {@link ConversationView}. */
export interface ConversationViewEvents {
  /** Something on screen changed; `version` grows with every change. */
  change: { version: number };
}

interface ViewHost {
  client: HearthClient;
  /** Loads the client's store (cursors and outbox), once. */
  load(): Promise<void>;
  /** Now, in ms (the client's clock). */
  now(): number;
  userId(): UserId | undefined;
  closed(view: ConversationView): void;
}

/**
 * One conversation's messages with their status, kept current from the client's events: what a
 * chat screen renders. Stored messages in seq order, then this device's pending ones in send
 * order. Made by {@link HearthClient.conversation}; call {@link ConversationView.load} once, and
 * {@link ConversationView.close} when the screen goes.
 */
export class ConversationView extends Emitter<ConversationViewEvents> {
  readonly conversationId: ConversationId;
  readonly #host: ViewHost;
  #list: ConversationMessage[] = [];
  readonly #byId = new Map<string, ConversationMessage>();
  #version = 0;
  #others: Set<string> | undefined;
  readonly #marks = new Map<string, { delivered: number; read: number }>();
  readonly #off: (() => void)[] = [];
  #loading: Promise<void> | undefined;
  readonly #edits = new MessageEdits();
  /** The content as sent, of messages an edit changed (their `content` shows the edit). */
  readonly #originals = new Map<string, MessageContent>();

  /** @internal Made by {@link HearthClient.conversation}. */
  constructor(conversationId: ConversationId, host: ViewHost) {
    super();
    this.conversationId = conversationId;
    this.#host = host;
    const c = host.client;
    const mine = (e: { conversationId: ConversationId }) => e.conversationId === conversationId;
    this.#off.push(
      c.on("message", (m) => mine(m) && this.#apply(m) && this.#changed()),
      c.on("queued", (item) => mine(item) && this.#applyPending(item) && this.#changed()),
      c.on("sent", (ack) => {
        const edit = mine(ack) ? this.#edits.entry(ack.messageId) : undefined;
        if (edit) {
          const target = this.#edits.put(this.#edits.drop(ack.messageId) as MessageId, {
            ...edit,
            seq: ack.seq,
            sentAt: ack.sentAt,
            senderId: edit.senderId ?? host.userId(),
          });
          if (this.#reapply(target)) this.#changed();
          return;
        }
        const m = mine(ack) ? this.#byId.get(ack.messageId) : undefined;
        if (!m || m.seq !== undefined) return;
        m.sentAt = ack.sentAt;
        this.#place(m, ack.seq);
        this.#changed();
      }),
      c.on("failed", (f) => {
        const target = mine(f) ? this.#edits.drop(f.messageId) : undefined;
        if (target) {
          if (this.#reapply(target)) this.#changed();
          return;
        }
        const m = mine(f) ? this.#byId.get(f.messageId) : undefined;
        if (!m || m.seq !== undefined) return;
        m.status = "failed";
        m.failure = f.code;
        this.#changed();
      }),
      c.on("ready", ({ userId }) => this.#signedIn(userId)),
      c.on("receipt", (r) => {
        if (!mine(r) || r.userId === host.userId()) return;
        this.setWatermark(r.userId, r.kind, r.seq);
      }),
    );
  }

  /** The messages, oldest first (pending ones last). Replaced, not mutated in place, on change. */
  get messages(): readonly ConversationMessage[] {
    return this.#list;
  }

  /** Grows with every change (for memoised rendering). */
  get version(): number {
    return this.#version;
  }

  /** One message, by id (for showing what a reply answers). */
  message(messageId: MessageId | string): ConversationMessage | undefined {
    return this.#byId.get(messageId);
  }

  /**
   * Reads what this device has: stored messages and the outbox (pending messages, readable
   * locally). Messages that arrive meanwhile are kept. Once per view; later calls return the same.
   */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      const c = this.#host.client;
      await this.#host.load();
      const stored = await c.localMessages(this.conversationId, { limit: Number.MAX_SAFE_INTEGER });
      const live = this.#list;
      this.#list = [];
      this.#byId.clear();
      for (const m of stored) this.#apply(m);
      for (const m of live) {
        if (this.#byId.has(m.messageId)) continue;
        this.#byId.set(m.messageId, m);
        this.#list.push(m);
      }
      for (const item of c.pendingItems())
        if (item.conversationId === this.conversationId) this.#applyPending(item);
      this.#list.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
      this.#changed();
    })();
    this.#loading.catch(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /**
   * The conversation's members (this user among them or not): an own message is `delivered` or
   * `read` once every other member has a watermark at or past it. Until set, own messages stop at
   * `sent`.
   */
  setMembers(userIds: Iterable<UserId | string>): void {
    this.#others = new Set(userIds);
    this.#restatus();
  }

  /** Moves a member's watermark (from a `receipt` event, or seeded from what was saved); never back. */
  setWatermark(userId: UserId | string, kind: "delivered" | "read", seq: number): void {
    if (this.#mark(userId, kind, seq)) this.#restatus();
  }

  /**
   * The conversation as the list (`api.conversations()`) has it: its members, and the delivered
   * and read watermarks each one has there (receipts sent while this device was offline are only
   * there). {@link setMembers} and {@link setWatermark} in one; marks still never move back.
   */
  setSummary(summary: ConversationSummary): void {
    if (summary.conversationId !== this.conversationId) {
      throw new Error("setSummary: the summary is of another conversation");
    }
    for (const m of summary.members) {
      this.#mark(m.userId, "delivered", m.deliveredSeq);
      this.#mark(m.userId, "read", m.readSeq);
    }
    this.setMembers(summary.members.map((m) => m.userId));
  }

  /**
   * Can this user edit this message now: their own, sent (stored by the server), readable text
   * (not a file), not deleted, and sent less than {@link EDIT_WINDOW_MS} ago by this device's clock.
   */
  canEdit(messageId: MessageId | string): boolean {
    const m = this.#byId.get(messageId);
    if (!m?.own || m.seq === undefined) return false;
    const original = this.#originals.get(m.messageId) ?? m.content;
    if (!isEditable({ ...m, content: original })) return false;
    return this.#host.now() - Date.parse(m.sentAt) < EDIT_WINDOW_MS;
  }

  /**
   * Edits one of this user's messages: queues an end-to-end-encrypted entry
   * `{kind: "edit", target: messageId, text}` (an ordinary message to the server) that every
   * member's device applies to the message, marking it {@link ConversationMessage.edited}. Shown
   * here at once. Receiving devices apply only the author's edits of a text message made within
   * {@link EDIT_WINDOW_MS} of it; anything else is ignored. Throws (misuse) when
   * {@link canEdit} is false or `text` is empty or longer than `MAX_TEXT_LENGTH`.
   *
   * @example
   * if (view.canEdit(m.messageId)) await view.edit(m.messageId, "See you at 4, not 3.");
   */
  async edit(messageId: MessageId, text: string): ReturnType<HearthClient["send"]> {
    if (!this.canEdit(messageId)) throw new Error("edit: not a message this user can edit now");
    if (text.trim() === "" || text.length > MAX_TEXT_LENGTH) {
      throw new RangeError(`edit: the new text must be 1–${MAX_TEXT_LENGTH} characters`);
    }
    return this.#host.client.send(this.conversationId, { kind: "edit", target: messageId, text });
  }

  /**
   * Deletes one of this user's messages for everyone, with its edits: a tombstone for the message,
   * then one for each edit entry this device has of it, so the server erases every body that held
   * its text (see `HearthClient.deleteMessage`). Resolves with the message's own tombstone.
   */
  async delete(messageId: MessageId): ReturnType<HearthClient["deleteMessage"]> {
    const edits = this.#edits.of(messageId).map((e) => e.messageId);
    const queued = await this.#host.client.deleteMessage(this.conversationId, messageId);
    for (const edit of edits) {
      const q = await this.#host.client.deleteMessage(this.conversationId, edit);
      q.sent.catch(() => undefined);
    }
    return queued;
  }

  /** Takes a failed message off the list (it was never stored anywhere). */
  forget(messageId: MessageId | string): void {
    const m = this.#byId.get(messageId);
    if (m?.status !== "failed") return;
    this.#byId.delete(messageId);
    this.#list = this.#list.filter((x) => x !== m);
    this.#changed();
  }

  /** Stops following the client's events (the next `client.conversation(id)` is a new view). */
  close(): void {
    for (const off of this.#off.splice(0)) off();
    this.#host.closed(this);
  }

  #mark(userId: UserId | string, kind: "delivered" | "read", seq: number): boolean {
    const w = this.#marks.get(userId) ?? { delivered: 0, read: 0 };
    if (w[kind] >= seq) return false;
    w[kind] = seq;
    this.#marks.set(userId, w);
    return true;
  }

  #changed(): true {
    this.#version++;
    this.#list = [...this.#list];
    this.emit("change", { version: this.#version });
    return true;
  }

  #status(seq: number): MessageStatus {
    // This user is left out here, not in setMembers: it may be called before sign-in.
    const me = this.#host.userId();
    const others = [...(this.#others ?? [])].filter((u) => u !== me);
    if (others.length === 0) return "sent";
    const all = (pick: (w: { delivered: number; read: number }) => number) =>
      others.every((u) => {
        const w = this.#marks.get(u);
        return w !== undefined && pick(w) >= seq;
      });
    if (all((w) => w.read)) return "read";
    if (all((w) => Math.max(w.delivered, w.read))) return "delivered";
    return "sent";
  }

  #restatus(): void {
    let changed = false;
    for (const m of this.#list) {
      if (!m.own || m.seq === undefined) continue;
      const s = this.#status(m.seq);
      if (s !== m.status) {
        m.status = s;
        changed = true;
      }
    }
    if (changed) this.#changed();
  }

  /** Loaded before sign-in (offline): now that the user is known, their messages are theirs. */
  #signedIn(userId: UserId): void {
    let changed = false;
    for (const m of this.#list) {
      if (m.own && m.senderId === undefined) {
        m.senderId = userId;
        changed = true;
      } else if (!m.own && m.senderId === userId) {
        m.own = true;
        changed = true;
      }
    }
    if (changed) this.#changed();
    this.#restatus();
  }

  /** Gives a message its seq and moves it to its place among the stored ones. */
  #place(m: ConversationMessage, seq: number): void {
    m.seq = seq;
    m.status = m.own ? this.#status(seq) : "sent";
    m.failure = undefined;
    const i = this.#list.indexOf(m);
    if (i >= 0) this.#list.splice(i, 1);
    let j = this.#list.length;
    while (j > 0) {
      const before = this.#list[j - 1]?.seq;
      if (before !== undefined && before < seq) break;
      j--;
    }
    this.#list.splice(j, 0, m);
  }

  /** A message deleted for everyone (or being deleted by this user): its content goes at once. */
  #erase(target: MessageId | undefined): boolean {
    // An edit entry deleted on its own: its target goes back to what the other edits make it.
    const edited = target ? this.#edits.drop(target) : undefined;
    if (edited) return this.#reapply(edited);
    const m = target ? this.#byId.get(target) : undefined;
    if (!m) return false;
    m.deleted = true;
    m.content = undefined;
    m.edited = undefined;
    this.#edits.forgetTarget(m.messageId);
    this.#originals.delete(m.messageId);
    return true;
  }

  /** Keeps an edit entry and applies it to its target if that is here; false when nothing changed. */
  #putEdit(target: MessageId, edit: EditEntry): boolean {
    this.#edits.put(target, edit);
    return this.#reapply(target);
  }

  /**
   * Shows a message with its author's latest applying edit (or as sent, when none applies any more:
   * a queued edit that failed). False when the message is not here.
   */
  #reapply(targetId: MessageId): boolean {
    const m = this.#byId.get(targetId);
    if (!m) return false;
    const original = this.#originals.get(targetId) ?? m.content;
    const edits = original ? this.#edits.applying(targetId, { ...m, content: original }, m.own) : [];
    const last = edits.at(-1);
    if (!original || !last) {
      if (!this.#originals.delete(targetId)) return false;
      m.content = original;
      m.edited = undefined;
      return true;
    }
    this.#originals.set(targetId, original);
    m.content = { ...original, text: last.text };
    m.edited = { at: last.sentAt, earlier: [original.text, ...edits.slice(0, -1).map((e) => e.text)] };
    return true;
  }

  /** Applies a delivered entry; false when nothing changed. */
  #apply(s: StoredMessage): boolean {
    if (s.kind === "commit") return false;
    if (s.kind === "tombstone") return this.#erase(s.target);
    if (s.content?.kind === "edit" && s.content.target) {
      const { messageId, senderId, sentAt, seq } = s;
      return this.#putEdit(s.content.target, { messageId, senderId, sentAt, seq, text: s.content.text });
    }
    const existing = this.#byId.get(s.messageId);
    if (existing) {
      // The echo of this user's own message: it confirms the pending one.
      existing.sentAt = s.sentAt;
      this.#place(existing, s.seq);
      return true;
    }
    const own = s.senderId === this.#host.userId();
    const m: ConversationMessage = {
      messageId: s.messageId,
      seq: undefined,
      senderId: s.senderId,
      sentAt: s.sentAt,
      own,
      content: s.content,
      edited: undefined,
      deleted: s.kind === "deleted",
      undecryptable: s.undecryptable,
      status: "sent",
      failure: undefined,
    };
    this.#byId.set(m.messageId, m);
    this.#place(m, s.seq);
    // Its edits came first (a view loading while they arrived): the cheap check keeps this rare.
    if (this.#edits.hasEdits(m.messageId)) {
      this.#originals.delete(m.messageId);
      this.#reapply(m.messageId);
    }
    return true;
  }

  /** Shows an outbox item: a message as pending, a deletion at once on its target. */
  #applyPending(item: OutboxItem): boolean {
    if (item.kind === "delete") return this.#erase(item.target);
    if (item.content?.kind === "edit" && item.content.target) {
      if (this.#edits.has(item.messageId)) return false;
      const { messageId, createdAt, content } = item;
      const sentAt = new Date(createdAt).toISOString();
      return this.#putEdit(content.target as MessageId, {
        messageId,
        senderId: this.#host.userId(),
        sentAt,
        seq: undefined,
        text: content.text,
      });
    }
    if (this.#byId.has(item.messageId)) return false;
    const m: ConversationMessage = {
      messageId: item.messageId,
      seq: undefined,
      senderId: this.#host.userId(),
      sentAt: new Date(item.createdAt).toISOString(),
      own: true,
      content: item.content,
      edited: undefined,
      deleted: false,
      undecryptable: undefined,
      status: "pending",
      failure: undefined,
    };
    this.#byId.set(m.messageId, m);
    this.#list.push(m);
    return true;
  }
}
