import type { HearthClient, ReceivedMessage } from "@hearth/client";
import type { ConversationId, ConversationSummary } from "@hearth/protocol";
import { ConversationCache } from "./conversation-cache.ts";
import { countMessage, keepReadMarkers, moveReadSeq } from "./conversation-summaries.ts";

/** What the list needs from the session around it. */
export interface ConversationListDeps {
  client: HearthClient;
  /** Screens should render again (`now`: without waiting for the next frame). */
  changed(now?: boolean): void;
  /** The session stopped: late answers change nothing. */
  stopped(): boolean;
  /** A list arrived (saved or from the server): members, names and marks for the open views. */
  arrived(list: readonly ConversationSummary[]): void;
  /** Fetching the list failed (the session decides whether that means signed out). */
  failed(err: unknown): void;
}

/**
 * The conversation list a device shows: the one saved on this device until the server's arrives,
 * then the server's, with unread counts and read markers moved by live messages and receipts in
 * between (saved again as they move, so a reload without a network shows what was on screen).
 */
export class ConversationList {
  conversations: ConversationSummary[] = [];
  loaded = false;
  /**
   * The server's list has come since this session started, or could not be fetched (or the session
   * went offline first: it sets this). Until then the read markers are the saved ones, which
   * another device may have moved past since.
   */
  settled = false;
  readonly #d: ConversationListDeps;
  readonly #saved: ConversationCache;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: ConversationListDeps) {
    this.#d = deps;
    this.#saved = new ConversationCache(deps.client);
  }

  /** One conversation's summary, if listed. */
  find(conversationId: string): ConversationSummary | undefined {
    return this.conversations.find((c) => c.conversationId === conversationId);
  }

  /**
   * The list this device saved, shown until the server's arrives: a device opened without a
   * network keeps its titles, names and read marks.
   */
  async loadSaved(): Promise<void> {
    const saved = await this.#saved.load();
    if (this.#d.stopped() || this.loaded || saved.length === 0) return;
    this.conversations = saved;
    this.loaded = true;
    this.#d.arrived(saved);
    this.#d.changed(true);
  }

  /** The server's list (the SDK saves it on this device as it comes). */
  async refresh(): Promise<void> {
    try {
      const fetched = await this.#d.client.conversations();
      const kept = keepReadMarkers(this.conversations, fetched);
      this.conversations = fetched;
      this.loaded = true;
      this.settled = true;
      if (kept.length > 0) this.#saved.changed(fetched);
      for (const { summary, serverReadSeq } of kept) {
        this.#d.client.markRead(summary.conversationId as ConversationId, summary.readSeq);
        if (summary.unread > 0) void this.#uncountRead(summary, serverReadSeq);
      }
      // Members and their marks (receipts sent while this device was offline are only there).
      this.#d.arrived(this.conversations);
      this.#d.changed(true);
    } catch (err) {
      // No network (or no server): the saved marks are the best there is.
      this.settled = true;
      this.#d.changed();
      this.#d.failed(err);
    }
  }

  /** Fetches the list again soon (several changes in a row make one request). */
  scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.refresh(), 300);
  }

  /** A message arrived: counted as unread where it is, or the list is fetched (a new conversation). */
  counted(m: ReceivedMessage): void {
    if (!countMessage(this.conversations, m)) this.scheduleRefresh();
    else this.#saved.changed(this.conversations);
  }

  /** My read marker moved (here or on another of my devices). */
  setReadSeq(conversationId: string, seq: number): void {
    if (!moveReadSeq(this.conversations, conversationId, seq)) return;
    this.#saved.changed(this.conversations);
    this.#d.changed();
    const summary = this.find(conversationId);
    if (summary && summary.unread > 0) void this.#recountUnread(summary);
  }

  /** Writes the moved marks now (the page is being left). */
  flush(): void {
    this.#saved.flush();
  }

  stop(): void {
    this.#saved.stop();
    clearTimeout(this.#refreshTimer);
  }

  /**
   * A kept marker (see `keepReadMarkers`): the server counted unread from its older marker, and what
   * this device read since is not unread. The device holds all of that (it read it), unlike what
   * came after, which may still be on its way: so this subtracts, where a recount would miss those.
   */
  async #uncountRead(summary: ConversationSummary, serverReadSeq: number): Promise<void> {
    const readSeq = summary.readSeq;
    const id = summary.conversationId as ConversationId;
    const counts = await Promise.all([
      this.#d.client.unreadAfter(id, serverReadSeq),
      this.#d.client.unreadAfter(id, readSeq),
    ]).catch(() => undefined);
    if (!counts || this.#d.stopped() || summary.readSeq !== readSeq) return;
    const readHere = counts[0] - counts[1];
    if (readHere <= 0) return;
    summary.unread = Math.max(0, summary.unread - readHere);
    this.#saved.changed(this.conversations);
    this.#d.changed();
  }

  /**
   * The read marker moved but not to the log's last entry (a deletion or an MLS commit came after
   * the last message): count what is still unread from the messages on this device, so reading
   * what is on screen brings the count to what the server will say.
   */
  async #recountUnread(summary: ConversationSummary): Promise<void> {
    const readSeq = summary.readSeq;
    const unread = await this.#d.client
      .unreadAfter(summary.conversationId as ConversationId, readSeq)
      .catch(() => summary.unread);
    // Only if nothing moved meanwhile, and only down: the device may not hold the whole gap.
    if (this.#d.stopped() || summary.readSeq !== readSeq || unread >= summary.unread) return;
    summary.unread = unread;
    this.#saved.changed(this.conversations);
    this.#d.changed();
  }
}
