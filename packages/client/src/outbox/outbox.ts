import type { MessageId } from "@hearth/protocol";
import type { OutboxItem } from "../client-store.ts";

/**
 * The outbox's bookkeeping, with no I/O: which queued items go on the wire next. Items are kept per
 * conversation in `position` order. {@link Outbox.take} hands out, per conversation, the oldest
 * waiting items while fewer than `window` of that conversation are in flight; conversations never
 * wait for each other. With `window` 1 (the default in the client) a conversation's next item goes
 * out only after the previous one is settled, so order holds even when the server refuses an item
 * transiently (`rate_limited`) and the retry comes later.
 *
 * Idempotence is the server's: an item keeps its message id forever, and every send of it is the
 * same frame, so a resend after a lost ack returns the original ack.
 */
export class Outbox {
  readonly #window: number;
  /** Per conversation, queued items in position order. */
  readonly #queues = new Map<string, OutboxItem[]>();
  readonly #inFlight = new Set<string>();
  /** Every queued item by id (so `has` and `settle` need not search the queues). */
  readonly #byId = new Map<string, OutboxItem>();
  #lastPosition = 0;

  constructor(window = 1) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError("window must be an integer >= 1");
    this.#window = window;
  }

  /** Items queued and not yet settled. */
  get size(): number {
    return this.#byId.size;
  }

  /** A position later than every item's so far (for a new item). */
  nextPosition(now: number): number {
    this.#lastPosition = Math.max(now, this.#lastPosition + 1);
    return this.#lastPosition;
  }

  /** Adds items (new, or restored from the store); an id already queued is ignored. */
  add(...items: OutboxItem[]): void {
    for (const item of items) {
      if (this.#byId.has(item.messageId)) continue;
      this.#byId.set(item.messageId, item);
      this.#lastPosition = Math.max(this.#lastPosition, item.position);
      let q = this.#queues.get(item.conversationId);
      if (!q) {
        q = [];
        this.#queues.set(item.conversationId, q);
      }
      // Usually appended at the end; restored items may belong earlier.
      let i = q.length;
      while (i > 0 && (q[i - 1] as OutboxItem).position > item.position) i--;
      q.splice(i, 0, item);
    }
  }

  /** Is an item with this id queued? */
  has(messageId: MessageId): boolean {
    return this.#byId.has(messageId);
  }

  /** Marks and returns the items to send now (see the class comment), in position order per conversation. */
  take(): OutboxItem[] {
    const out: OutboxItem[] = [];
    for (const q of this.#queues.values()) {
      let busy = 0;
      for (const item of q) {
        if (busy >= this.#window) break;
        if (!this.#inFlight.has(item.messageId)) {
          this.#inFlight.add(item.messageId);
          out.push(item);
        }
        busy++;
      }
    }
    return out;
  }

  /** Removes a settled item (acked, or finally refused) and returns it; unknown ids return undefined. */
  settle(messageId: MessageId): OutboxItem | undefined {
    this.#inFlight.delete(messageId);
    const item = this.#byId.get(messageId);
    if (!item) return undefined;
    this.#byId.delete(messageId);
    const q = this.#queues.get(item.conversationId);
    if (!q) return item;
    // Usually the oldest of its conversation.
    const i = q.indexOf(item);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) this.#queues.delete(item.conversationId);
    return item;
  }

  /** Puts an in-flight item back to waiting (a transient refusal); it is handed out again first. */
  release(messageId: MessageId): void {
    this.#inFlight.delete(messageId);
  }

  /** The connection is gone: nothing is in flight any more; everything is sent again, in order. */
  releaseAll(): void {
    this.#inFlight.clear();
  }

  /** Every queued item, in position order per conversation. */
  items(): OutboxItem[] {
    return [...this.#queues.values()].flat();
  }
}
