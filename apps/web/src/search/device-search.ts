import { editApplies, type StoredMessage } from "@hearth/client";
import { EncryptedIndexStore } from "./encrypted-index-store.ts";
import { docKey, type SearchDoc, type SearchHits, SearchIndex } from "./search-index.ts";

/** A conversation to bring up to date; `lastSeq` (when known) lets an indexed one be skipped. */
export interface CatchUpConversation {
  conversationId: string;
  lastSeq?: number;
}

/** Where the index is kept: what {@link DeviceSearch} needs of an {@link EncryptedIndexStore}. */
export type IndexStore = Pick<EncryptedIndexStore, "load" | "schedule" | "flush" | "close">;

/** Options of {@link DeviceSearch}. */
export interface DeviceSearchOptions {
  /** Called when what a search shows may have changed (loaded, caught up). */
  onChange?: () => void;
  /** Where the index is kept (default: an {@link EncryptedIndexStore} for the user). */
  store?: IndexStore;
}

/** The text a message is found by: its text, and its file's name and caption. */
function searchText(m: StoredMessage): string {
  const parts = [m.content?.text ?? ""];
  const a = m.content?.attachment;
  if (a) {
    parts.push(a.name);
    if (a.caption && a.caption !== m.content?.text) parts.push(a.caption);
  }
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .join(" · ");
}

/**
 * Search across one signed-in person's history, on this device only. Messages are indexed as the
 * SDK delivers them (already decrypted), and from its local store for anything delivered while the
 * index was not watching; the index is saved encrypted ({@link EncryptedIndexStore}). Nothing of
 * the index or the queries leaves the device.
 *
 * Per conversation, the index remembers the seq up to which everything is indexed ("indexed
 * through"). Live messages move it only when they are the next seq, so a gap (a write lost when
 * the tab closed) is filled by the next catch-up from the store rather than skipped.
 */
export class DeviceSearch {
  readonly #index = new SearchIndex();
  readonly #store: IndexStore;
  readonly #onChange: () => void;
  readonly #through = new Map<string, number>();
  /** Live seqs above "indexed through", waiting for the gap below them to close. */
  readonly #ahead = new Map<string, Set<number>>();
  #loading: Promise<void> | undefined;
  #loaded = false;
  /**
   * Messages deleted for everyone this session (by {@link docKey}). A catch-up reads the device's store while live
   * messages keep coming: a deletion that lands in between must not be undone by the older copy.
   */
  readonly #deleted = new Set<string>();
  /** Live messages that came before the saved index was loaded. */
  #early: StoredMessage[] = [];
  #catchingUp: Promise<void> = Promise.resolve();
  #caughtUp = false;
  #closed = false;

  constructor(userId: string, options: DeviceSearchOptions = {}) {
    this.#store = options.store ?? new EncryptedIndexStore(userId);
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** True once the saved index is loaded and brought up to date with the device at least once. */
  get ready(): boolean {
    return this.#loaded && this.#caughtUp;
  }

  /** How many messages are indexed. */
  get size(): number {
    return this.#index.size;
  }

  /** Loads (decrypts) the saved index; an unreadable one is dropped and rebuilt. Idempotent. */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      const saved = await this.#store.load();
      if (saved) {
        for (const doc of saved.docs) this.#index.add(doc);
        for (const [id, seq] of Object.entries(saved.through)) {
          if (Number.isSafeInteger(seq)) this.#through.set(id, seq);
        }
      }
      this.#loaded = true;
      const early = this.#early;
      this.#early = [];
      for (const m of early) this.#live(m);
      this.#onChange();
    })();
    return this.#loading;
  }

  /**
   * Indexes what the device stores beyond each conversation's "indexed through" seq.
   * `loadMessages` gives a conversation's stored messages in seq order. Calls run one at a time.
   */
  catchUp(
    conversations: Iterable<CatchUpConversation>,
    loadMessages: (conversationId: string) => Promise<StoredMessage[]>,
  ): Promise<void> {
    const list = [...conversations];
    const run = this.#catchingUp.then(async () => {
      await this.load();
      let changed = false;
      for (const { conversationId, lastSeq } of list) {
        if (this.#closed) return;
        const through = this.#through.get(conversationId) ?? 0;
        if (lastSeq !== undefined && through >= lastSeq) continue;
        let stored: StoredMessage[];
        try {
          stored = await loadMessages(conversationId);
        } catch {
          continue; // Tried again on the next catch-up.
        }
        let top = through;
        for (const m of stored) {
          if (m.seq <= through) continue;
          this.#apply(m);
          top = Math.max(top, m.seq);
        }
        if (top > (this.#through.get(conversationId) ?? 0)) {
          this.#through.set(conversationId, top);
          this.#advance(conversationId);
          changed = true;
        }
      }
      if (changed) this.#save();
      if (!this.#caughtUp || changed) {
        this.#caughtUp = true;
        this.#onChange();
      }
    });
    this.#catchingUp = run.catch(() => undefined);
    return run;
  }

  /** A message the SDK delivered just now (live or from the backlog). */
  onMessage(m: StoredMessage): void {
    if (this.#closed) return;
    if (this.#loaded) this.#live(m);
    else this.#early.push(m);
  }

  #live(m: StoredMessage): void {
    this.#apply(m);
    const through = this.#through.get(m.conversationId) ?? 0;
    if (m.seq > through) {
      const ahead = this.#ahead.get(m.conversationId) ?? new Set<number>();
      ahead.add(m.seq);
      this.#ahead.set(m.conversationId, ahead);
      this.#advance(m.conversationId);
    }
    this.#save();
  }

  /** The messages matching `query`, newest first (see {@link SearchIndex.search}). */
  search(query: string, limit?: number): SearchHits {
    return this.#index.search(query, limit);
  }

  /** Writes the index now (it is otherwise written a second after changes). */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  /** Writes what is pending and closes the database (sign-out, quick exit, leaving). */
  close(): Promise<void> {
    this.#closed = true;
    return this.#store.close();
  }

  #apply(m: StoredMessage): void {
    if (m.kind === "tombstone") {
      if (m.target) {
        this.#deleted.add(docKey(m.conversationId, m.target));
        this.#index.remove(m.conversationId, m.target);
      }
    } else if (m.kind === "deleted") {
      this.#deleted.add(docKey(m.conversationId, m.messageId));
      this.#index.remove(m.conversationId, m.messageId);
    } else if (m.kind === "message" && m.content?.kind === "edit") {
      this.#applyEdit(m);
    } else if (
      m.kind === "message" &&
      m.content &&
      !this.#deleted.has(docKey(m.conversationId, m.messageId))
    ) {
      const doc: SearchDoc = {
        conversationId: m.conversationId,
        messageId: m.messageId,
        seq: m.seq,
        sentAt: m.sentAt,
        senderId: m.senderId,
        text: searchText(m),
      };
      this.#index.add(doc);
    }
  }

  /**
   * An edit: its target is found by the new text from now on (the earlier text is no longer
   * indexed), under the same rules the conversation view applies (author only, within the window).
   */
  #applyEdit(m: StoredMessage): void {
    const target = m.content?.target;
    const doc = target ? this.#index.get(m.conversationId, target) : undefined;
    if (!doc || !m.content) return;
    const applies = editApplies(
      {
        senderId: doc.senderId as StoredMessage["senderId"],
        sentAt: doc.sentAt,
        seq: doc.seq,
        content: { text: doc.text },
        deleted: false,
      },
      { messageId: m.messageId, senderId: m.senderId, sentAt: m.sentAt, seq: m.seq, text: m.content.text },
    );
    if (applies) this.#index.add({ ...doc, text: m.content.text.trim() });
  }

  /** Moves "indexed through" over the live seqs that now follow it without a gap. */
  #advance(conversationId: string): void {
    const ahead = this.#ahead.get(conversationId);
    if (!ahead) return;
    let through = this.#through.get(conversationId) ?? 0;
    for (const seq of ahead) if (seq <= through) ahead.delete(seq);
    while (ahead.delete(through + 1)) through++;
    this.#through.set(conversationId, through);
    if (ahead.size === 0) this.#ahead.delete(conversationId);
  }

  #save(): void {
    this.#store.schedule(() => ({
      docs: this.#index.docs(),
      through: Object.fromEntries(this.#through),
    }));
  }
}
