import type { ConversationSummary } from "@hearth/protocol";
import type { IdbClientStore, Watermarks } from "../../storage/idb-client-store.ts";

const WATERMARK_PREFIX = "wm:";

/** A receipt from another member (or from another of my devices), as the SDK emits it. */
export interface ReceiptSeen {
  conversationId: string;
  userId: string;
  kind: "delivered" | "read";
  seq: number;
}

/**
 * The others' delivered and read marks per conversation ("delivered up to seq N"), from live
 * receipts and the conversation list, remembered on this device so statuses survive a reload.
 * Marks only move forward.
 */
export class Receipts {
  readonly #store: IdbClientStore;
  /** conversation → member → watermarks. */
  readonly #watermarks = new Map<string, Map<string, Watermarks>>();

  constructor(store: IdbClientStore) {
    this.#store = store;
  }

  /** Loads the marks this device remembers (merged with any that came in meanwhile). */
  async load(): Promise<void> {
    const wm = await this.#store.metaWithPrefix<Record<string, Watermarks>>(WATERMARK_PREFIX);
    for (const [conversationId, members] of wm) {
      const map = this.#watermarks.get(conversationId) ?? new Map<string, Watermarks>();
      for (const [userId, w] of Object.entries(members)) {
        const cur = map.get(userId);
        map.set(userId, {
          delivered: Math.max(cur?.delivered ?? 0, w.delivered),
          read: Math.max(cur?.read ?? 0, w.read),
        });
      }
      this.#watermarks.set(conversationId, map);
    }
  }

  /**
   * The others' delivered and (shared) read marks from the conversation list (receipts sent while
   * this device was offline are only there), remembered with the live ones.
   */
  catchUp(conversations: readonly ConversationSummary[], ownUserId: string): void {
    for (const c of conversations) {
      const map = this.#watermarks.get(c.conversationId) ?? new Map<string, Watermarks>();
      let moved = false;
      for (const m of c.members) {
        if (m.userId === ownUserId) continue;
        const cur = map.get(m.userId) ?? { delivered: 0, read: 0 };
        const next = {
          delivered: Math.max(cur.delivered, m.deliveredSeq ?? 0, m.readSeq ?? 0),
          read: Math.max(cur.read, m.readSeq ?? 0),
        };
        if (next.delivered !== cur.delivered || next.read !== cur.read) {
          map.set(m.userId, next);
          moved = true;
        }
      }
      if (moved) {
        this.#watermarks.set(c.conversationId, map);
        this.#save(c.conversationId, map);
      }
    }
  }

  /** Another member's receipt: their marks move (read implies delivered), and are remembered. */
  received(r: ReceiptSeen): void {
    const map = this.#watermarks.get(r.conversationId) ?? new Map<string, Watermarks>();
    const cur = map.get(r.userId) ?? { delivered: 0, read: 0 };
    const next =
      r.kind === "read"
        ? { delivered: Math.max(cur.delivered, r.seq), read: Math.max(cur.read, r.seq) }
        : { delivered: Math.max(cur.delivered, r.seq), read: cur.read };
    map.set(r.userId, next);
    this.#watermarks.set(r.conversationId, map);
    this.#save(r.conversationId, map);
  }

  /** Remembers a conversation's marks for the next start (a reload without a network shows them). */
  #save(conversationId: string, map: Map<string, Watermarks>): void {
    void this.#store
      .setMeta(WATERMARK_PREFIX + conversationId, Object.fromEntries(map))
      .catch(() => undefined);
  }

  /** The others' marks in one conversation (member → watermarks), for its view's statuses. */
  marks(conversationId: string): ReadonlyMap<string, Watermarks> {
    return this.#watermarks.get(conversationId) ?? new Map();
  }
}
