import type { BlobId, ConversationId, DeviceId, ErrorCode, UserId } from "@hearth/protocol";
import { Batcher } from "../../batcher.ts";
import { type Bus, conversationTopic, userTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import { toLogEntry } from "../conversations/conversation-service.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import { noMetrics, type ServerMetrics } from "../metrics/server-metrics.ts";
import type { DeliveryEvents } from "./delivery-events.ts";
import type { AppendRequest, AppendResult, DeliveryStore, WatermarkUpdate } from "./delivery-store.ts";

/** Typing frames forwarded per (conversation, user) in one window, whatever their `active` value. */
export const TYPING_PER_WINDOW = 2;
/** The typing throttle's window. */
export const TYPING_WINDOW_MS = 1000;

/** A refused request: the coded error and the field it concerns. */
export type Refusal = { ok: false; code: ErrorCode; path?: string };

/**
 * The ordered log: appends (group-committed: stored with a gap-free seq before anyone is told),
 * then fans out; receipt watermarks; typing. Typing is never stored.
 *
 * It owns what a device may claim about the log: a `hello` cursor never starts past the log's end
 * ({@link DeliveryService.startCursors}), and a receipt never acknowledges past what the device was
 * sent ({@link DeliveryService.receipt}), so no watermark can point beyond the log.
 */
export class DeliveryService {
  readonly #store: DeliveryStore;
  readonly #conversations: ConversationStore;
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #appends: Batcher<AppendRequest, AppendResult>;
  readonly #watermarks: Batcher<WatermarkUpdate, boolean>;
  /** Per `conversationId userId`: the current typing window's start and frames forwarded in it. */
  readonly #typing = new Map<string, { start: number; count: number }>();
  #typingSweptAt = 0;
  readonly #onBlobsErased: (blobIds: BlobId[]) => Promise<void>;
  readonly #events: DeliveryEvents | undefined;
  readonly #onMessageStored: ((conversationId: ConversationId, senderId: UserId) => void) | undefined;
  readonly #metrics: ServerMetrics;
  readonly #durable: () => Promise<void>;

  constructor(deps: {
    store: DeliveryStore;
    /** The conversations module's memberships and log heads, where a device's sync starts. */
    conversations: ConversationStore;
    bus: Bus;
    clock: Clock;
    /** Deletes the bytes of blobs whose last referring message was deleted for everyone. */
    onBlobsErased?: (blobIds: BlobId[]) => Promise<void>;
    /** Told of stored messages and read watermarks, after the fact (the notify module). */
    events?: DeliveryEvents;
    /**
     * A new message was stored and published (the push module notifies devices without a live
     * socket). Called after the fan-out, must return at once; never for a resend or a delete.
     */
    onMessageStored?: (conversationId: ConversationId, senderId: UserId) => void;
    /** Append and fan-out latencies and stored messages are counted here. */
    metrics?: ServerMetrics;
    /**
     * Resolves once what has been committed is on disk (`Storage.durable`). Each batch of appends
     * waits for it after committing, before anyone hears of its entries (receipts do not: see below).
     */
    durable?: () => Promise<void>;
  }) {
    this.#metrics = deps.metrics ?? noMetrics;
    this.#events = deps.events;
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#onBlobsErased = deps.onBlobsErased ?? (async () => {});
    this.#onMessageStored = deps.onMessageStored;
    this.#durable = deps.durable ?? (async () => {});
    // Group commit, pipelined: a batch's callers hear of it once it is on disk (`settle`), and the
    // next batch commits while this one syncs on the thread pool. The event loop never waits for the
    // disk. Measured against syncing each batch on the event loop right after its commit (the design
    // before), peer bench: P = 10 conversations +5 to +23 % messages/s, P = 1,000 the same; the
    // project's own bench (unpinned) mixed, N = 100 behind and more CPU per batch for the pool's
    // round trip (docs/benchmarks.md, "Syncs off the event loop"). An earlier try on the thread pool
    // without pipelining had lost: each batch waited for the previous one's sync before committing.
    this.#appends = new Batcher((reqs) => this.#store.append(reqs), { settle: () => this.#durable() });
    // Receipts are relayed once their watermarks are committed, without waiting for the WAL sync
    // that follows (WalSync's lazy one, or sooner the next message batch's): a watermark is not a
    // message, nobody is acknowledged for it, and the device that sent it already holds what it
    // acknowledges. After a power loss in that moment a watermark may be a step behind what the
    // other side was shown, and moves again with that device's next receipt. Waiting cost each
    // receipt a second sync on the round trip of every message.
    this.#watermarks = new Batcher(async (ups) => {
      // Several receipts for one (conversation, user, kind) in a batch: only the highest matters.
      const moved = new Set(await this.#store.updateWatermarks(ups));
      return ups.map((u) => moved.has(u));
    });
  }

  /**
   * Stores one entry durably, then publishes it. A duplicate (resend) is published again too: a
   * node that crashed between commit and publish left others without it, and receivers dedupe by seq.
   */
  async append(req: AppendRequest, welcomeOwners?: Map<DeviceId, UserId>): Promise<AppendResult> {
    const started = performance.now();
    // On disk before the ack and before the fan-out: nobody hears of an entry a power loss could undo.
    const r = await this.#appends.submit(req);
    this.#metrics.observeAppend((performance.now() - started) / 1000);
    // Before the ack: once a delete is acknowledged, its blobs are gone from the blob store too.
    if (r.ok && r.erasedBlobIds && r.erasedBlobIds.length > 0) await this.#onBlobsErased(r.erasedBlobIds);
    if (r.ok && !r.duplicate && req.welcomes && welcomeOwners) {
      for (const w of req.welcomes) {
        const owner = welcomeOwners.get(w.deviceId);
        if (!owner) continue;
        this.#bus.publish(userTopic(owner), {
          type: "welcome",
          deviceId: w.deviceId,
          conversationId: req.conversationId,
          seq: r.entry.seq,
          body: Buffer.from(w.body.buffer, w.body.byteOffset, w.body.byteLength).toString("base64"),
        });
      }
    }
    if (r.ok) {
      const publishing = performance.now();
      this.#bus.publish(conversationTopic(r.entry.conversationId), {
        type: "entry",
        entry: toLogEntry(r.entry),
      });
      this.#metrics.observeFanOut((performance.now() - publishing) / 1000);
      if (!r.duplicate && r.entry.kind === "message") {
        this.#metrics.messageStored();
        this.#events?.messageStored({
          conversationId: r.entry.conversationId,
          seq: r.entry.seq,
          senderId: r.entry.senderId,
        });
        this.#onMessageStored?.(r.entry.conversationId, r.entry.senderId);
      }
    }
    return r;
  }

  /**
   * Where a device's sync starts in each of the user's conversations: its claimed cursor, held to the
   * log's latest seq (a cursor past the end would let it acknowledge entries that do not exist yet).
   */
  async startCursors(
    userId: UserId,
    claimed: Readonly<Record<string, number>>,
  ): Promise<{ conversationId: ConversationId; cursor: number }[]> {
    const memberships = await this.#conversations.listMemberships(userId);
    return memberships.map((m) => ({
      conversationId: m.conversationId,
      cursor: Math.max(0, Math.min(claimed[m.conversationId] ?? 0, m.lastSeq)),
    }));
  }

  /**
   * Moves a watermark, of any kind, and tells the other members unless the receipt is private. A
   * device may only acknowledge entries it was sent: `sent` is the highest seq this device has been
   * sent in the conversation (never past the log's end, see {@link DeliveryService.startCursors});
   * beyond it the receipt is refused with `bad_request` and nothing moves.
   */
  async receipt(u: WatermarkUpdate, isPrivate: boolean, sent: number): Promise<{ ok: true } | Refusal> {
    if (u.seq > sent) return { ok: false, code: "bad_request", path: "seq" };
    const moved = await this.#watermarks.submit(isPrivate && u.kind === "read" ? { ...u, private: true } : u);
    if (moved && !isPrivate) {
      this.#bus.publish(conversationTopic(u.conversationId), { type: "receipt", ...u });
    }
    if (moved && u.kind === "read") this.#events?.readUpTo(u);
    return { ok: true };
  }

  /**
   * Forwards a typing frame to the other members, throttled per (conversation, user) across all of
   * the user's devices on this node: at most {@link TYPING_PER_WINDOW} frames per
   * {@link TYPING_WINDOW_MS}, whatever their `active` value (an alternating true/false storm is
   * throttled like any other). Returns whether it was forwarded; a dropped one is not an error.
   */
  typing(conversationId: ConversationId, userId: UserId, deviceId: DeviceId, active: boolean): boolean {
    const now = this.#clock.now();
    const key = `${conversationId} ${userId}`;
    let w = this.#typing.get(key);
    if (!w || now - w.start >= TYPING_WINDOW_MS) {
      if (!w) this.#forgetIdleTyping(now);
      w = { start: now, count: 0 };
      this.#typing.set(key, w);
    }
    if (w.count >= TYPING_PER_WINDOW) return false;
    w.count += 1;
    this.#bus.publish(conversationTopic(conversationId), {
      type: "typing",
      conversationId,
      userId,
      deviceId,
      active,
    });
    return true;
  }

  /** Drops finished typing windows once the map grows (at most once a window), so it stays small. */
  #forgetIdleTyping(now: number) {
    if (this.#typing.size < 1024 || now - this.#typingSweptAt < TYPING_WINDOW_MS) return;
    this.#typingSweptAt = now;
    for (const [k, w] of this.#typing) if (now - w.start >= TYPING_WINDOW_MS) this.#typing.delete(k);
  }

  welcomesFor(deviceId: DeviceId) {
    return this.#store.listWelcomes(deviceId);
  }

  forgetWelcomes(deviceId: DeviceId, conversationId: ConversationId) {
    return this.#store.deleteWelcomes(deviceId, conversationId);
  }

  entriesAfter(conversationId: ConversationId, after: number, limit: number) {
    return this.#store.entriesAfter(conversationId, after, limit);
  }

  /** Waits for queued writes (graceful shutdown). */
  async drain() {
    await this.#appends.drain();
    await this.#watermarks.drain();
  }
}
