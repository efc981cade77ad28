import type { ConversationId } from "@hearth/protocol";
import type { Clock, TimerHandle } from "./clock.ts";

/** What {@link Receipts} needs from the client. */
export interface ReceiptsHost {
  clock: Clock;
  /** Batch delay for receipts. */
  delayMs: number;
  /** Whether read receipts go to the other members (else they are marked private). */
  sendRead(): boolean;
  /** True when the client is `connected` (the server follows every conversation on this socket). */
  connected(): boolean;
  /** Sends a frame; false when there is no open socket. */
  send(frame: Record<string, unknown>): boolean;
}

interface Wanted {
  conversationId: ConversationId;
  kind: "delivered" | "read";
  seq: number;
}

const KINDS = ["delivered", "read"] as const;

/**
 * This device's outgoing receipts. Receipts are watermarks: only the highest seq per
 * (conversation, kind) goes, batched for `delayMs`, and only while `connected` (a watermark loses
 * nothing by waiting for `synced`). Internal to {@link HearthClient}.
 */
export class Receipts {
  readonly #host: ReceiptsHost;
  /** Per kind, per conversation: the highest watermark sent. */
  readonly #sent = { delivered: new Map<string, number>(), read: new Map<string, number>() };
  /** Per kind, per conversation: the receipt waiting for the next flush (updated in place). */
  readonly #wanted = {
    delivered: new Map<string, Wanted>(),
    read: new Map<string, Wanted>(),
  };
  #timer: TimerHandle;

  constructor(host: ReceiptsHost) {
    this.#host = host;
  }

  /** Asks for a receipt up to `seq`; a lower or repeated watermark is ignored. */
  want(conversationId: ConversationId, kind: "delivered" | "read", seq: number): void {
    // Runs once per delivered message: no key strings, no object per call.
    if ((this.#sent[kind].get(conversationId) ?? 0) >= seq) return;
    const wanted = this.#wanted[kind];
    const have = wanted.get(conversationId);
    if (!have) wanted.set(conversationId, { conversationId, kind, seq });
    else if (have.seq < seq) have.seq = seq;
    if (this.#timer !== undefined) return;
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#host.delayMs);
  }

  /** Sends what is wanted, if connected; what cannot go now is kept for the next sync. */
  flush(): void {
    if (!this.#host.connected()) return;
    for (const kind of KINDS) {
      const wanted = this.#wanted[kind];
      for (const [cid, r] of wanted) {
        const frame: Record<string, unknown> = {
          type: "receipt",
          conversationId: r.conversationId,
          kind: r.kind,
          seq: r.seq,
        };
        if (r.kind === "read" && !this.#host.sendRead()) frame.private = true;
        if (!this.#host.send(frame)) return; // not connected: kept, sent after the next sync
        this.#sent[kind].set(cid, r.seq);
        wanted.delete(cid);
      }
    }
  }

  /** The highest watermark sent (or asked for) in a conversation, 0 if none. */
  watermark(conversationId: ConversationId, kind: "delivered" | "read"): number {
    return Math.max(
      this.#sent[kind].get(conversationId) ?? 0,
      this.#wanted[kind].get(conversationId)?.seq ?? 0,
    );
  }

  /** The client closed: no timer stays behind. */
  stop(): void {
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
