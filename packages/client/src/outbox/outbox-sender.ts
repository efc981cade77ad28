import type { MessageId, ServerFrame } from "@hearth/protocol";
import { type BackoffOptions, fullJitterDelay } from "../backoff.ts";
import { type Queued, SendError, type SendFailureCode, type SentAck } from "../client-events.ts";
import type { ClientStore, OutboxItem } from "../client-store.ts";
import type { Clock, TimerHandle } from "../clock.ts";
import { Outbox } from "./outbox.ts";

/** What {@link OutboxSender} needs from the client. */
export interface OutboxSenderHost {
  store: ClientStore;
  clock: Clock;
  random: () => number;
  /** Sends in flight at once per conversation. */
  window: number;
  /** Resolves once cursors and the stored outbox are loaded. */
  load(): Promise<void>;
  /** True when the client is `connected` (the server knows every conversation by then). */
  connected(): boolean;
  /** Sends a request; rejects when the socket goes (the item is released and goes again). */
  request(frame: Record<string, unknown>): Promise<ServerFrame>;
  /** An item was stored in the outbox (show it as pending). */
  queued(item: OutboxItem): void;
  sent(ack: SentAck): void;
  failed(item: OutboxItem, code: SendFailureCode): void;
  error(code: string, message: string): void;
}

/** Refusals that say "not now" rather than "never": the item waits and is sent again. */
const TRANSIENT: ReadonlySet<string> = new Set(["rate_limited", "internal", "unauthenticated"]);
const RETRY_BACKOFF: BackoffOptions = { minMs: 200, maxMs: 10_000 };

/**
 * The outbox with its I/O: queues items in the store, sends what {@link Outbox} hands out while
 * connected, settles each with its ack or a final coded refusal, and waits with jittered backoff
 * after a transient one (for every conversation: the limit is per connection). Internal to
 * {@link HearthClient}.
 */
export class OutboxSender {
  readonly #host: OutboxSenderHost;
  readonly #outbox: Outbox;
  readonly #waiters = new Map<string, { resolve: (a: SentAck) => void; reject: (e: Error) => void }>();
  #retries = 0;
  #pausedTimer: TimerHandle;
  #paused = false;

  constructor(host: OutboxSenderHost) {
    this.#host = host;
    this.#outbox = new Outbox(host.window);
  }

  /** Items queued and not settled. */
  get size(): number {
    return this.#outbox.size;
  }

  /** Every queued item, in send order per conversation. */
  items(): OutboxItem[] {
    return this.#outbox.items();
  }

  /** Items restored from the store. */
  restore(items: OutboxItem[]): void {
    this.#outbox.add(...items);
  }

  /** Stores an item and sends it when it can; `sent` settles with its ack or a {@link SendError}. */
  async enqueue(partial: Omit<OutboxItem, "createdAt" | "position">): Promise<Queued> {
    await this.#host.load();
    const now = this.#host.clock.now();
    const item: OutboxItem = { ...partial, createdAt: now, position: this.#outbox.nextPosition(now) };
    const sent = new Promise<SentAck>((resolve, reject) => {
      this.#waiters.set(item.messageId, { resolve, reject });
    });
    sent.catch(() => undefined); // the caller may ignore `sent`; a rejection must not go unhandled
    await this.#host.store.putOutbox(item);
    this.#outbox.add(item);
    this.#host.queued(item);
    this.flush();
    return { messageId: item.messageId, sent };
  }

  /** Sends what the outbox hands out. Only when `connected`: the server knows every conversation by then. */
  flush(): void {
    if (!this.#host.connected() || this.#paused) return;
    for (const item of this.#outbox.take()) {
      // An attachment's blob is declared to the server (which cannot read the payload), so that
      // deleting the message for everyone deletes the blob too.
      const blobId = item.content?.attachment?.blobId;
      const frame =
        item.kind === "send"
          ? {
              type: "send",
              conversationId: item.conversationId,
              messageId: item.messageId,
              body: item.body,
              ...(blobId ? { blobIds: [blobId] } : {}),
            }
          : {
              type: "delete",
              conversationId: item.conversationId,
              messageId: item.target,
              tombstoneId: item.messageId,
            };
      this.#host.request(frame).then(
        (answer) => this.#onAnswer(item, answer),
        () => undefined, // connection lost: the item was released and goes again on the next socket
      );
    }
  }

  #onAnswer(item: OutboxItem, answer: ServerFrame) {
    if (answer.type === "ack" && answer.seq !== undefined && answer.sentAt !== undefined) {
      this.#retries = 0;
      const ack: SentAck = {
        conversationId: item.conversationId,
        messageId: item.messageId,
        seq: answer.seq,
        sentAt: answer.sentAt,
      };
      return this.#settle(item, ack);
    }
    if (answer.type === "error" && TRANSIENT.has(answer.code)) {
      // Not now: wait (with backoff, for every conversation: the limit is per connection), then resend.
      this.#outbox.release(item.messageId);
      if (this.#paused) return;
      this.#paused = true;
      this.#pausedTimer = this.#host.clock.setTimeout(
        () => {
          this.#paused = false;
          this.flush();
        },
        fullJitterDelay(this.#retries++, RETRY_BACKOFF, this.#host.random),
      );
      return;
    }
    const code = answer.type === "error" ? answer.code : "unexpected_response";
    this.#settle(item, undefined, code as SendFailureCode);
  }

  #settle(item: OutboxItem, ack: SentAck | undefined, code?: SendFailureCode) {
    if (!this.#outbox.settle(item.messageId)) return;
    this.flush(); // the conversation's next item may go now
    const w = this.#waiters.get(item.messageId);
    this.#waiters.delete(item.messageId);
    this.#host.store.removeOutbox(item.messageId).catch((err: unknown) => {
      // Harmless: a stale outbox item is resent later and the server answers with the same ack.
      this.#host.error("store_error", String(err));
    });
    if (ack) {
      this.#host.sent(ack);
      w?.resolve(ack);
    } else {
      const failure = code ?? "unexpected_response";
      this.#host.failed(item, failure);
      w?.reject(new SendError(failure, item.messageId));
    }
  }

  /** The socket went: nothing is in flight; everything goes again, in order, with the same ids. */
  dropped(): void {
    this.#host.clock.clearTimeout(this.#pausedTimer);
    this.#paused = false;
    this.#outbox.releaseAll();
  }

  /** The client closed: items stay in the store for the next client; these promises end here. */
  closed(): void {
    for (const [messageId, w] of this.#waiters)
      w.reject(new SendError("client_closed", messageId as MessageId));
    this.#waiters.clear();
  }
}
