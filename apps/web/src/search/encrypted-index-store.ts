import type { IDBPDatabase } from "idb";
import { deleteDatabase, openDatabase, type SearchDb } from "../storage/db.ts";
import type { SearchDoc } from "./search-index.ts";

/** What is saved: the indexed messages and, per conversation, the last seq already indexed. */
export interface SavedIndex {
  docs: SearchDoc[];
  through: Record<string, number>;
}

/** Timing of the debounced writes. */
export interface EncryptedIndexStoreOptions {
  /** Write this long after the last change (ms). */
  delayMs?: number;
  /** …but at least this often while changes keep coming, e.g. during a long backlog (ms). */
  maxDelayMs?: number;
}

const FORMAT = 1;
const KEY = "key";
const INDEX = "index";

interface Sealed {
  v: number;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

function isSavedIndex(v: unknown): v is SavedIndex {
  if (typeof v !== "object" || v === null) return false;
  const o = v as { docs?: unknown; through?: unknown };
  if (!Array.isArray(o.docs) || typeof o.through !== "object" || o.through === null) return false;
  return o.docs.every(
    (d: unknown) =>
      typeof d === "object" &&
      d !== null &&
      typeof (d as SearchDoc).conversationId === "string" &&
      typeof (d as SearchDoc).messageId === "string" &&
      typeof (d as SearchDoc).seq === "number" &&
      typeof (d as SearchDoc).sentAt === "string" &&
      typeof (d as SearchDoc).senderId === "string" &&
      typeof (d as SearchDoc).text === "string",
  );
}

/**
 * The search index at rest: its own IndexedDB database, holding a non-extractable AES-GCM key
 * (a `CryptoKey`, stored as such; its bytes can't be read back by script) and the index sealed
 * with it. Each write uses a fresh 12-byte IV; the additional data binds the user and the format,
 * so a blob can't be swapped between users. A blob that doesn't open is dropped and the index is
 * rebuilt from the messages on the device.
 */
export class EncryptedIndexStore {
  readonly #userId: string;
  readonly #db: Promise<IDBPDatabase<SearchDb>>;
  readonly #key: Promise<CryptoKey>;
  readonly #delayMs: number;
  readonly #maxDelayMs: number;
  #snapshot: (() => SavedIndex) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firstChange: number | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(userId: string, options: EncryptedIndexStoreOptions = {}) {
    this.#userId = userId;
    this.#delayMs = options.delayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 5000;
    // Sign-out in another tab deletes the database: let it.
    const opened: Promise<IDBPDatabase<SearchDb>> = openDatabase("search", userId, {
      onVersionChange: () => {
        this.#closed = true;
        void opened.then((db) => db.close());
      },
    });
    this.#db = opened;
    this.#key = this.#db.then((db) => keyOf(db));
    // Neither may surface as an unhandled rejection: load() and writes report their own failure.
    this.#key.catch(() => undefined);
  }

  /** Deletes a user's search database (sign-out). */
  static destroy(userId: string): Promise<void> {
    return deleteDatabase("search", userId);
  }

  /** The saved index, or undefined when there is none or it can't be read (then rebuild). */
  async load(): Promise<SavedIndex | undefined> {
    try {
      const db = await this.#db;
      const sealed = (await db.get("search", INDEX)) as Sealed | undefined;
      if (!sealed || sealed.v !== FORMAT) return undefined;
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.iv as Uint8Array<ArrayBuffer>, additionalData: this.#aad() },
        await this.#key,
        sealed.ciphertext as Uint8Array<ArrayBuffer>,
      );
      const saved: unknown = JSON.parse(new TextDecoder().decode(plain));
      return isSavedIndex(saved) ? saved : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Saves what `snapshot` returns, soon: a second after the last call, and at least every few
   * seconds while calls keep coming. The snapshot is taken at write time, not now.
   */
  schedule(snapshot: () => SavedIndex): void {
    if (this.#closed) return;
    this.#snapshot = snapshot;
    const now = Date.now();
    this.#firstChange ??= now;
    const wait = Math.max(0, Math.min(this.#delayMs, this.#firstChange + this.#maxDelayMs - now));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush().catch(() => undefined), wait);
  }

  /** Writes a scheduled snapshot now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#writing) await this.#writing;
    const snapshot = this.#snapshot;
    this.#snapshot = undefined;
    this.#firstChange = undefined;
    if (!snapshot || this.#closed) return;
    this.#writing = this.#write(snapshot()).finally(() => {
      this.#writing = undefined;
    });
    await this.#writing;
  }

  /** Writes what is pending, then closes the database. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      clearTimeout(this.#timer);
      (await this.#db.catch(() => undefined))?.close();
    }
  }

  async #write(saved: SavedIndex): Promise<void> {
    const plain = new TextEncoder().encode(JSON.stringify(saved));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: this.#aad() },
        await this.#key,
        plain,
      ),
    );
    const db = await this.#db;
    if (this.#closed) return;
    const tx = db.transaction("search", "readwrite");
    await Promise.all([tx.store.put({ v: FORMAT, iv, ciphertext } satisfies Sealed, INDEX), tx.done]);
  }

  #aad(): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(`hearth-search/v${FORMAT}/${this.#userId}`);
  }
}

/** The database's key, made on first use. Another tab may make one at the same time: the first wins. */
async function keyOf(db: IDBPDatabase<SearchDb>): Promise<CryptoKey> {
  const existing = await db.get("search", KEY);
  if (existing instanceof CryptoKey) return existing;
  const fresh = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
  const tx = db.transaction("search", "readwrite");
  // Read and write in one transaction: a key another tab stored meanwhile is kept, not replaced.
  const [key] = await Promise.all([
    tx.store.get(KEY).then(async (stored) => {
      if (stored instanceof CryptoKey) return stored;
      await tx.store.put(fresh, KEY);
      return fresh;
    }),
    tx.done,
  ]);
  return key;
}
