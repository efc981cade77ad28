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

/**
 * This device's outgoing receipts. Receipts are watermarks: only the highest seq per
 * (conversation, kind) goes, batched for `delayMs`, and only while `connected` (a watermark loses
 * nothing by waiting for `synced`). Internal to {@link HearthClient}.
 */
export class Receipts {
  readonly #host: ReceiptsHost;
  readonly #sent = new Map<string, number>();
  readonly #wanted = new Map<
    string,
    { conversationId: ConversationId; kind: "delivered" | "read"; seq: number }
  >();
  #timer: TimerHandle;

  constructor(host: ReceiptsHost) {
    this.#host = host;
  }

  /** Asks for a receipt up to `seq`; a lower or repeated watermark is ignored. */
  want(conversationId: ConversationId, kind: "delivered" | "read", seq: number): void {
    const key = `${kind}|${conversationId}`;
    if ((this.#sent.get(key) ?? 0) >= seq) return;
    const have = this.#wanted.get(key);
    if (!have || have.seq < seq) this.#wanted.set(key, { conversationId, kind, seq });
    if (this.#timer !== undefined) return;
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#host.delayMs);
  }

  /** Sends what is wanted, if connected; what cannot go now is kept for the next sync. */
  flush(): void {
    if (!this.#host.connected()) return;
    for (const [key, r] of this.#wanted) {
      const frame: Record<string, unknown> = {
        type: "receipt",
        conversationId: r.conversationId,
        kind: r.kind,
        seq: r.seq,
      };
      if (r.kind === "read" && !this.#host.sendRead()) frame.private = true;
      if (!this.#host.send(frame)) return; // not connected: kept, sent after the next sync
      this.#sent.set(key, r.seq);
      this.#wanted.delete(key);
    }
  }

  /** The highest watermark sent (or asked for) in a conversation, 0 if none. */
  watermark(conversationId: ConversationId, kind: "delivered" | "read"): number {
    const key = `${kind}|${conversationId}`;
    return Math.max(this.#sent.get(key) ?? 0, this.#wanted.get(key)?.seq ?? 0);
  }

  /** The client closed: no timer stays behind. */
  stop(): void {
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
