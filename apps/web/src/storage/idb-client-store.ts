import type { ClientStore, OutboxItem, StoredMessage } from "@hearth/client";
import type { ConversationId, MessageId } from "@hearth/protocol";
import { done, promised } from "./idb.ts";

/** A member's watermarks in one conversation, as last heard from `receipt` events. */
export interface Watermarks {
  delivered: number;
  read: number;
}

const VERSION = 1;
const MESSAGES = "messages";
const CURSORS = "cursors";
const OUTBOX = "outbox";
const META = "meta";

/** The IndexedDB database name of one user on this device. */
export function databaseName(userId: string): string {
  return `hearth.${userId}`;
}

function open(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      const messages = db.createObjectStore(MESSAGES, { keyPath: ["conversationId", "seq"] });
      messages.createIndex("messageId", "messageId");
      db.createObjectStore(CURSORS);
      db.createObjectStore(OUTBOX, { keyPath: "messageId" });
      db.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
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
 * The same database also keeps two things of the app's own (the `meta` store): the last known
 * receipt watermarks of the other members (the server only sends them live) and the therapist's
 * private labels for patients (the server has no place for them yet).
 */
export class IdbClientStore implements ClientStore {
  readonly #db: Promise<IDBDatabase>;
  #batch: StoredMessage[] = [];
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(userId: string) {
    this.#db = open(databaseName(userId));
  }

  /** Deletes a user's local database (sign-out). */
  static async destroy(userId: string): Promise<void> {
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(databaseName(userId));
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
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
    const tx = db.transaction([MESSAGES, CURSORS], "readwrite", { durability: "relaxed" });
    const messages = tx.objectStore(MESSAGES);
    const cursors = new Map<string, number>();
    for (const m of batch) {
      messages.put(m);
      cursors.set(m.conversationId, Math.max(cursors.get(m.conversationId) ?? 0, m.seq));
      if (m.kind === "tombstone" && m.target) {
        // Requests in one transaction run in order: a target put earlier in this batch is found.
        const req = messages.index("messageId").get(m.target);
        req.onsuccess = () => {
          const old = req.result as StoredMessage | undefined;
          if (!old || old.conversationId !== m.conversationId) return;
          const { content: _c, undecryptable: _u, ...rest } = old;
          messages.put({ ...rest, kind: "deleted" });
        };
      }
    }
    const cursorStore = tx.objectStore(CURSORS);
    for (const [conversationId, seq] of cursors) cursorStore.put(seq, conversationId);
    await done(tx);
  }

  async loadCursors(): Promise<Record<string, number>> {
    await this.flush();
    const db = await this.#db;
    const tx = db.transaction(CURSORS, "readonly");
    const store = tx.objectStore(CURSORS);
    const [keys, values] = await Promise.all([promised(store.getAllKeys()), promised(store.getAll())]);
    const out: Record<string, number> = {};
    keys.forEach((k, i) => {
      out[String(k)] = values[i] as number;
    });
    return out;
  }

  async saveCursor(conversationId: ConversationId, seq: number): Promise<void> {
    await this.flush();
    const db = await this.#db;
    const tx = db.transaction(CURSORS, "readwrite");
    tx.objectStore(CURSORS).put(seq, conversationId);
    await done(tx);
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
    const all = await promised(db.transaction(MESSAGES, "readonly").objectStore(MESSAGES).getAll(range));
    return (all as StoredMessage[]).slice(Math.max(0, all.length - limit));
  }

  async loadOutbox(): Promise<OutboxItem[]> {
    const db = await this.#db;
    return (await promised(db.transaction(OUTBOX, "readonly").objectStore(OUTBOX).getAll())) as OutboxItem[];
  }

  async putOutbox(item: OutboxItem): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(OUTBOX, "readwrite");
    tx.objectStore(OUTBOX).put(item);
    await done(tx);
  }

  async removeOutbox(messageId: MessageId): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(OUTBOX, "readwrite");
    tx.objectStore(OUTBOX).delete(messageId);
    await done(tx);
  }

  /** An app value kept on this device (watermarks, private labels). */
  async getMeta<T>(key: string): Promise<T | undefined> {
    const db = await this.#db;
    return (await promised(db.transaction(META, "readonly").objectStore(META).get(key))) as T | undefined;
  }

  /** Every app value whose key starts with `prefix`. */
  async metaWithPrefix<T>(prefix: string): Promise<Map<string, T>> {
    const db = await this.#db;
    const store = db.transaction(META, "readonly").objectStore(META);
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const [keys, values] = await Promise.all([
      promised(store.getAllKeys(range)),
      promised(store.getAll(range)),
    ]);
    return new Map(keys.map((k, i) => [String(k).slice(prefix.length), values[i] as T]));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(META, "readwrite");
    if (value === undefined) tx.objectStore(META).delete(key);
    else tx.objectStore(META).put(value, key);
    await done(tx);
  }
}
