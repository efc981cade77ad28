/** What to do with an inbound log entry: deliver it, drop it as already seen, or fill a gap first. */
export type SequenceVerdict = "deliver" | "duplicate" | "gap";

/**
 * Per-conversation cursors: the last seq delivered to the application, contiguously. An entry is
 * delivered only when its seq is exactly cursor + 1, which makes delivery exactly-once and in order
 * whatever the server (or a retry, or a resync) sends twice or out of order.
 */
export class InboundSequencer {
  readonly #cursors = new Map<string, number>();

  /** The last seq delivered for a conversation (0: none). */
  cursor(conversationId: string): number {
    return this.#cursors.get(conversationId) ?? 0;
  }

  /** Classifies an entry of `conversationId` with sequence number `seq`. */
  check(conversationId: string, seq: number): SequenceVerdict {
    const have = this.cursor(conversationId);
    if (seq <= have) return "duplicate";
    return seq === have + 1 ? "deliver" : "gap";
  }

  /** Records that `seq` was delivered; it must be the next one. */
  advance(conversationId: string, seq: number): void {
    if (seq !== this.cursor(conversationId) + 1) {
      throw new Error(`cursor of a conversation moved from ${this.cursor(conversationId)} to ${seq}`);
    }
    this.#cursors.set(conversationId, seq);
  }

  /** Takes known cursors (from the store); a cursor only ever moves forward. */
  merge(cursors: Record<string, number>): void {
    for (const [cid, seq] of Object.entries(cursors)) {
      if (Number.isSafeInteger(seq) && seq > this.cursor(cid)) this.#cursors.set(cid, seq);
    }
  }

  /** All cursors, for `hello`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#cursors);
  }
}
