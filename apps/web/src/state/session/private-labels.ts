import type { IdbClientStore } from "../../storage/idb-client-store.ts";

const LABEL_PREFIX = "label:";

/**
 * A therapist's private labels for patients ("Tuesday group", a first name): kept in this device's
 * store only — patients never see them, and neither does the server.
 */
export class PrivateLabels {
  readonly #store: IdbClientStore;
  #labels = new Map<string, string>();

  constructor(store: IdbClientStore) {
    this.#store = store;
  }

  /** Reads the labels this device keeps. */
  async load(): Promise<void> {
    this.#labels = await this.#store.metaWithPrefix<string>(LABEL_PREFIX);
  }

  /** The label of a user, if any. */
  get(userId: string): string | undefined {
    return this.#labels.get(userId);
  }

  /** Sets (or, blank, removes) a user's label, here and in the store. */
  async set(userId: string, label: string): Promise<void> {
    const trimmed = label.trim();
    if (trimmed) this.#labels.set(userId, trimmed);
    else this.#labels.delete(userId);
    await this.#store.setMeta(LABEL_PREFIX + userId, trimmed || undefined);
  }
}
