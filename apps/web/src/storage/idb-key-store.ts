import type { DeviceKeyStore } from "@hearth/client";

const STORE = "keys";

/** The IndexedDB database holding one user's device secrets (kept apart from messages). */
export function keyDatabaseName(userId: string): string {
  return `hearth.keys.${userId}`;
}

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * The browser's {@link DeviceKeyStore}: the device's end-to-end encryption secrets (archive root,
 * MLS identity and group states, pinned identity keys) in IndexedDB, never sent anywhere.
 *
 * Not yet wrapped with a non-extractable WebCrypto key (the SDK's note): anyone who can read this
 * browser profile's storage can read them. Signing out deletes the database.
 */
export class IdbKeyStore implements DeviceKeyStore {
  readonly #db: Promise<IDBDatabase>;

  constructor(userId: string) {
    this.#db = new Promise((resolve, reject) => {
      const req = indexedDB.open(keyDatabaseName(userId), 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  /** Deletes a user's key database (sign-out). */
  static destroy(userId: string): Promise<void> {
    return new Promise((resolve) => {
      const req = indexedDB.deleteDatabase(keyDatabaseName(userId));
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  }

  async close(): Promise<void> {
    (await this.#db).close();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const db = await this.#db;
    const v = await promised(db.transaction(STORE, "readonly").objectStore(STORE).get(key));
    return v instanceof Uint8Array ? v.slice() : undefined;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(value.slice(), key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }

  async delete(key: string): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).delete(key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }
}
