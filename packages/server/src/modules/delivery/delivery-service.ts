import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";
import { Batcher } from "../../batcher.ts";
import { type Bus, conversationTopic, userTopic } from "../../bus/bus.ts";
import { toLogEntry } from "../conversations/conversation-service.ts";
import type { AppendRequest, AppendResult, DeliveryStore, WatermarkUpdate } from "./delivery-store.ts";

/**
 * The ordered log: appends (group-committed: stored with a gap-free seq before anyone is told),
 * then fans out; receipt watermarks; typing. Typing is never stored.
 */
export class DeliveryService {
  readonly #store: DeliveryStore;
  readonly #bus: Bus;
  readonly #appends: Batcher<AppendRequest, AppendResult>;
  readonly #watermarks: Batcher<WatermarkUpdate, boolean>;

  constructor(deps: { store: DeliveryStore; bus: Bus }) {
    this.#store = deps.store;
    this.#bus = deps.bus;
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
  async append(req: AppendRequest, welcomeOwners?: Map<DeviceId, UserId>): Promise<AppendResult> {
    const r = await this.#appends.submit(req);
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

  typing(conversationId: ConversationId, userId: UserId, deviceId: DeviceId, active: boolean) {
    this.#bus.publish(conversationTopic(conversationId), {
      type: "typing",
      conversationId,
      userId,
      deviceId,
      active,
    });
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
