import type { ClientStore, OutboxItem, StoredMessage } from "@hearth/client";
import type { ConversationId, ConversationSummary, MessageId } from "@hearth/protocol";
import type { IDBPDatabase } from "idb";
import { deleteDatabase, type MessagesDb, openDatabase } from "./db.ts";

/** The `meta` key of the saved conversation list. */
const CONVERSATIONS_KEY = "conversations";

/** A member's watermarks in one conversation, as last heard from `receipt` events. */
export interface Watermarks {
  delivered: number;
  read: number;
}

/**
 * The browser's {@link ClientStore}: cursors, outbox and every delivered message in IndexedDB,
 * so a reload resumes from the cursors instead of downloading the whole history again.
 *
 * Delivered messages are written behind, in batches: a backlog of thousands of entries becomes a
 * few transactions instead of one per entry. Consistency still holds — each batch stores its
 * messages and moves their cursors in one transaction, so a crash can only leave the cursor
 * *behind* what was shown (the server then sends those entries again), never ahead of what is
 * stored. Reads wait for the pending batch first.
 *
 * The conversation list (the port's `saveConversations`) is one value of the `meta` store, under
 * `conversations`: titles, members and their names and marks, for a device opened offline.
 *
 * The same database also keeps two things of the app's own (the `meta` store): the last known
 * receipt watermarks of the other members (the server only sends them live) and the therapist's
 * private labels for patients (the server has no place for them yet).
 */
export class IdbClientStore implements ClientStore {
  readonly #db: Promise<IDBPDatabase<MessagesDb>>;
  #batch: StoredMessage[] = [];
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(userId: string) {
    this.#db = openDatabase("messages", userId);
  }

  /** Deletes a user's local database (sign-out). */
  static destroy(userId: string): Promise<void> {
    return deleteDatabase("messages", userId);
  }

  /** Closes the connection (after a pending batch is written). */
  async close(): Promise<void> {
    await this.flush();
    (await this.#db).close();
  }

  /** Writes the pending batch now. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#flushing) await this.#flushing;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  async #write(batch: StoredMessage[]): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(["messages", "cursors"], "readwrite", { durability: "relaxed" });
    const messages = tx.objectStore("messages");
    const cursors = new Map<string, number>();
    const requests: Promise<unknown>[] = [];
    for (const m of batch) {
      requests.push(messages.put(m));
      cursors.set(m.conversationId, Math.max(cursors.get(m.conversationId) ?? 0, m.seq));
      if (m.kind === "tombstone" && m.target) {
        // Requests in one transaction run in order: a target put earlier in this batch is found.
        requests.push(
          messages
            .index("messageId")
            .get(m.target)
            .then((old) => {
              if (!old || old.conversationId !== m.conversationId) return;
              const { content: _c, undecryptable: _u, ...rest } = old;
              return messages.put({ ...rest, kind: "deleted" });
            }),
        );
      }
    }
    const cursorStore = tx.objectStore("cursors");
    for (const [conversationId, seq] of cursors) requests.push(cursorStore.put(seq, conversationId));
    await Promise.all([...requests, tx.done]);
  }

  async loadCursors(): Promise<Record<string, number>> {
    await this.flush();
    const store = (await this.#db).transaction("cursors", "readonly").store;
    const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
    const out: Record<string, number> = {};
    keys.forEach((k, i) => {
      out[String(k)] = values[i] as number;
    });
    return out;
  }

  async saveCursor(conversationId: ConversationId, seq: number): Promise<void> {
    await this.flush();
    const tx = (await this.#db).transaction("cursors", "readwrite");
    await Promise.all([tx.store.put(seq, conversationId), tx.done]);
  }

  saveDelivered(message: StoredMessage): Promise<void> {
    this.#batch.push(message);
    if (this.#batch.length >= 500) void this.flush().catch(() => undefined);
    else this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), 100);
    return Promise.resolve();
  }

  async loadMessages(
    conversationId: ConversationId,
    opts: { beforeSeq?: number; limit?: number } = {},
  ): Promise<StoredMessage[]> {
    await this.flush();
    const db = await this.#db;
    const before = opts.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const limit = opts.limit ?? 100;
    if (before <= 1) return [];
    const range = IDBKeyRange.bound([conversationId, 0], [conversationId, before - 1]);
    const all = await db.getAll("messages", range);
    return all.slice(Math.max(0, all.length - limit));
  }

  async loadOutbox(): Promise<OutboxItem[]> {
    return (await this.#db).getAll("outbox");
  }

  async putOutbox(item: OutboxItem): Promise<void> {
    const tx = (await this.#db).transaction("outbox", "readwrite");
    await Promise.all([tx.store.put(item), tx.done]);
  }

  async removeOutbox(messageId: MessageId): Promise<void> {
    const tx = (await this.#db).transaction("outbox", "readwrite");
    await Promise.all([tx.store.delete(messageId), tx.done]);
  }

  async loadConversations(): Promise<ConversationSummary[]> {
    const list = await (await this.#db).get("meta", CONVERSATIONS_KEY);
    return Array.isArray(list) ? (list as ConversationSummary[]) : [];
  }

  async saveConversations(conversations: readonly ConversationSummary[]): Promise<void> {
    // IndexedDB stores a structured clone: later changes to the caller's objects don't reach it.
    await this.setMeta(CONVERSATIONS_KEY, [...conversations]);
  }

  /** An app value kept on this device (watermarks, private labels). */
  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await (await this.#db).get("meta", key)) as T | undefined;
  }

  /** Every app value whose key starts with `prefix`. */
  async metaWithPrefix<T>(prefix: string): Promise<Map<string, T>> {
    const store = (await this.#db).transaction("meta", "readonly").store;
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const [keys, values] = await Promise.all([store.getAllKeys(range), store.getAll(range)]);
    return new Map(keys.map((k, i) => [String(k).slice(prefix.length), values[i] as T]));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const tx = (await this.#db).transaction("meta", "readwrite");
    await Promise.all([value === undefined ? tx.store.delete(key) : tx.store.put(value, key), tx.done]);
  }
}
