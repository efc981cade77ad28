import type { DeviceKeyStore } from "@hearth/client";
import type { IDBPDatabase } from "idb";
import { deleteDatabase, type KeysDb, openDatabase } from "./db.ts";

/**
 * The browser's {@link DeviceKeyStore}: the device's end-to-end encryption secrets (archive root,
 * MLS identity and group states, pinned identity keys) in IndexedDB (`hearth.keys.<userId>`, kept
 * apart from messages), never sent anywhere.
 *
 * Not yet wrapped with a non-extractable WebCrypto key (the SDK's note): anyone who can read this
 * browser profile's storage can read them. Signing out deletes the database.
 */
export class IdbKeyStore implements DeviceKeyStore {
  readonly #db: Promise<IDBPDatabase<KeysDb>>;

  constructor(userId: string) {
    this.#db = openDatabase("keys", userId);
  }

  /** Deletes a user's key database (sign-out). */
  static destroy(userId: string): Promise<void> {
    return deleteDatabase("keys", userId);
  }

  async close(): Promise<void> {
    (await this.#db).close();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const v: unknown = await (await this.#db).get("keys", key);
    return v instanceof Uint8Array ? v.slice() : undefined;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    const tx = (await this.#db).transaction("keys", "readwrite");
    await Promise.all([tx.store.put(value.slice(), key), tx.done]);
  }

  async delete(key: string): Promise<void> {
    const tx = (await this.#db).transaction("keys", "readwrite");
    await Promise.all([tx.store.delete(key), tx.done]);
  }
}
