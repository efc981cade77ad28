import type { HearthClient } from "@hearth/client";
import type { ConversationSummary } from "@hearth/protocol";

/** How long marks may move before the list is written (a backlog moves them many times). */
const SAVE_AFTER_MS = 250;

/**
 * The conversation list as this device last had it — titles, members and their names, marks,
 * unread counts — saved through the SDK's store, so a device opened without a network shows the
 * conversations as they were. The server's list replaces it whenever it can be fetched (the SDK
 * saves that itself); this saves the live changes in between (unread counts, read markers).
 */
export class ConversationCache {
  readonly #client: HearthClient;
  #pending: readonly ConversationSummary[] | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: HearthClient) {
    this.#client = client;
  }

  /** The list saved on this device (`[]` if none). */
  load(): Promise<ConversationSummary[]> {
    return this.#client.savedConversations().catch(() => []);
  }

  /** The list changed in place: save it soon. */
  changed(conversations: readonly ConversationSummary[]): void {
    this.#pending = conversations;
    this.#timer ??= setTimeout(() => this.flush(), SAVE_AFTER_MS);
  }

  /** Saves a pending change now (the page goes to the background). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const list = this.#pending;
    this.#pending = undefined;
    if (list) void this.#client.saveConversations(list).catch(() => undefined);
  }

  /** Drops a pending save (the session ends; a sign-out deletes the store anyway). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
