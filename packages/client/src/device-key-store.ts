/**
 * Where a device keeps its secrets for end-to-end encryption: the archive root (from which the
 * identity key is derived), the device's MLS signing identity and key packages, each
 * conversation's MLS group state, and the identity keys it has pinned for other users. Nothing
 * in it ever goes to the server. A browser implements it over IndexedDB (ideally with a
 * non-extractable wrapping key); values are opaque bytes.
 *
 * Keys used by the SDK: `root`, `device`, `key-packages`, `group:<conversationId>`,
 * `group-seq:<conversationId>`, `pin:<userId>`, `archive-key:<userId>` (a user's signed archive
 * key record, checked against the pin, so a device without a network can still encrypt).
 */
export interface DeviceKeyStore {
  /** The stored value, or `undefined`. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores (replaces) a value. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Forgets a value (no error if absent). */
  delete(key: string): Promise<void>;
}

/**
 * A {@link DeviceKeyStore} in memory: secrets last as long as the process. For tests and for
 * sessions that must leave nothing behind.
 *
 * @example
 * const client = new HearthClient({ baseUrl, token, WebSocket, encryption: { keyStore: new MemoryKeyStore() } });
 */
export class MemoryKeyStore implements DeviceKeyStore {
  readonly #values = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#values.get(key)?.slice();
  }
  async set(key: string, value: Uint8Array): Promise<void> {
    this.#values.set(key, value.slice());
  }
  async delete(key: string): Promise<void> {
    this.#values.delete(key);
  }
  /** How many values are stored (for tests: a wiped store holds none). */
  get size(): number {
    return this.#values.size;
  }
}
