import { Batcher } from "../../batcher.ts";
import { type Bus, conversationTopic, userTopic } from "../../bus/bus.ts";
import type { AppendRequest, AppendResult, Store, WatermarkUpdate } from "../../storage/store.ts";
import { toLogEntry } from "../conversations/conversation-service.ts";

/**
 * The ordered log: appends (group-committed: stored with a gap-free seq before anyone is told),
 * then fans out; receipt watermarks; typing. Typing is never stored.
 */
export class DeliveryService {
  readonly #store: Store;
  readonly #bus: Bus;
  readonly #appends: Batcher<AppendRequest, AppendResult>;
  readonly #watermarks: Batcher<WatermarkUpdate, boolean>;
  readonly #onBlobsErased: (blobIds: string[]) => Promise<void>;

  constructor(deps: {
    store: Store;
    bus: Bus;
    /** Deletes the bytes of blobs whose last referring message was deleted for everyone. */
    onBlobsErased?: (blobIds: string[]) => Promise<void>;
  }) {
    this.#store = deps.store;
    this.#bus = deps.bus;
    this.#onBlobsErased = deps.onBlobsErased ?? (async () => {});
    this.#appends = new Batcher((reqs) => this.#store.append(reqs));
    this.#watermarks = new Batcher(async (ups) => {
      // Several receipts for one (conversation, user, kind) in a batch: only the highest matters.
      const moved = await this.#store.updateWatermarks(ups);
      return ups.map((u) => moved.includes(u));
    });
  }

  /**
   * Stores one entry durably, then publishes it. A duplicate (resend) is published again too: a
   * node that crashed between commit and publish left others without it, and receivers dedupe by seq.
   */
  async append(req: AppendRequest, welcomeOwners?: Map<string, string>): Promise<AppendResult> {
    const r = await this.#appends.submit(req);
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
      this.#bus.publish(conversationTopic(r.entry.conversationId), {
        type: "entry",
        entry: toLogEntry(r.entry),
      });
    }
    return r;
  }

  /** Moves a watermark; tells the other members unless the receipt is private. */
  async receipt(u: WatermarkUpdate, isPrivate: boolean): Promise<void> {
    const moved = await this.#watermarks.submit(isPrivate && u.kind === "read" ? { ...u, private: true } : u);
    if (moved && !isPrivate) {
      this.#bus.publish(conversationTopic(u.conversationId), { type: "receipt", ...u });
    }
  }

  typing(conversationId: string, userId: string, deviceId: string, active: boolean) {
    this.#bus.publish(conversationTopic(conversationId), {
      type: "typing",
      conversationId,
      userId,
      deviceId,
      active,
    });
  }

  welcomesFor(deviceId: string) {
    return this.#store.listWelcomes(deviceId);
  }

  forgetWelcomes(deviceId: string, conversationId: string) {
    return this.#store.deleteWelcomes(deviceId, conversationId);
  }

  entriesAfter(conversationId: string, after: number, limit: number) {
    return this.#store.entriesAfter(conversationId, after, limit);
  }

  /** Waits for queued writes (graceful shutdown). */
  async drain() {
    await this.#appends.drain();
    await this.#watermarks.drain();
  }
}
