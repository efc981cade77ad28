import { createHmac, randomBytes } from "node:crypto";
import type {
  ConversationId,
  DeviceId,
  PushPayload,
  PushRefResponse,
  PushStatusResponse,
  PushSubscribeBody,
  ReminderPushPayload,
  UserId,
} from "@hearth/protocol";
import type { Logger } from "pino";
import type { Clock } from "../../clock.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { Session } from "../auth/auth-service.ts";
import type { AuthStore } from "../auth/auth-store.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { QuietHours, Scheduler } from "../schedule/index.ts";
import { endpointAllowed } from "./push-endpoints.ts";
import { type PushJob, type PushOutcome, PushSender } from "./push-sender.ts";
import type { PushStore, PushSubscriptionRecord } from "./push-store.ts";
import { loadVapidKeys, type VapidKeys } from "./vapid-keys.ts";

/** Web Push settings (README "Configuration"). */
export interface PushOptions {
  /** The VAPID contact (`mailto:` or `https:`), which push services may use to reach the operator. */
  subject: string;
  /** Allowed subscription endpoints (see `endpointAllowed`); default the big browsers' push services. */
  origins: readonly string[];
  /** How long a push service keeps a push it could not deliver yet, in seconds. */
  ttlSeconds: number;
  /** Pushes waiting at once in this node's queue, at most (retries wait in the durable schedule). */
  maxQueue: number;
}

/** The durable job that tries a push again (429, 5xx, network failure), one per device and conversation. */
export const PUSH_RETRY_JOB = "push.retry";

/** A retry job's payload: ids and a time only. */
interface PushRetryPayload {
  deviceId: DeviceId;
  conversationId: ConversationId;
  senderId: UserId;
  /** When the first attempt was made (epoch ms); past the TTL the retry is given up. */
  firstAt: number;
}

/** How long "nobody has a subscription" is believed before the store is asked again. */
const ANY_RECHECK_MS = 10_000;

/**
 * The opaque reference of a conversation for one subscription: HMAC-SHA256 under the subscription's
 * own random key, 16 bytes, base64url (22 characters). Different for every subscription, so neither
 * a push service nor anyone reading two devices' pushes can link them to one conversation.
 */
export function pushRef(aliasKey: string, conversationId: ConversationId): string {
  return createHmac("sha256", Buffer.from(aliasKey, "base64url"))
    .update(conversationId)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

/**
 * Web Push for devices that are not connected: subscriptions per device, the VAPID key pair, and the
 * content-free pushes sent when a message is stored. A push names only an opaque reference to the
 * conversation (and the sender's user id if that device chose so): never text, never a
 * conversation id or name. Devices with a live socket on this node get none (they have the message).
 */
export class PushService {
  readonly #store: PushStore;
  readonly #meta: Pick<AuthStore, "ensureMeta">;
  readonly #conversations: ConversationStore;
  readonly #isLive: (deviceId: DeviceId) => boolean;
  readonly #scheduler: Scheduler;
  readonly #quietHours: Pick<QuietHours, "nextAllowed">;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #o: PushOptions;
  #vapid: VapidKeys | undefined;
  #sender: PushSender | undefined;
  /** Whether any subscription exists, and when that was last read from the store. */
  #any = { value: true, at: Number.NEGATIVE_INFINITY };
  readonly #work = new Set<Promise<void>>();
  readonly #onOutcome: ((outcome: PushOutcome) => void) | undefined;

  constructor(deps: {
    store: PushStore;
    /** Where the VAPID key pair is kept (the auth module's `meta`). */
    meta: Pick<AuthStore, "ensureMeta">;
    conversations: ConversationStore;
    /** Does this device hold a live socket (on this node)? */
    isLive: (deviceId: DeviceId) => boolean;
    /** The durable schedule, where a push the push service could not take now waits for a retry. */
    scheduler: Scheduler;
    /** Each user's quiet hours: no push then; what is due waits in the schedule until they end. */
    quietHours: Pick<QuietHours, "nextAllowed">;
    clock: Clock;
    log: Logger;
    options: PushOptions;
    /** Every push attempt's outcome (the metrics). */
    onOutcome?: (outcome: PushOutcome) => void;
  }) {
    this.#onOutcome = deps.onOutcome;
    this.#store = deps.store;
    this.#meta = deps.meta;
    this.#conversations = deps.conversations;
    this.#isLive = deps.isLive;
    this.#scheduler = deps.scheduler;
    this.#quietHours = deps.quietHours;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#o = deps.options;
  }

  /** Loads (on first start: makes and stores) the VAPID key pair. */
  async start() {
    this.#vapid = await loadVapidKeys(this.#meta);
    this.#sender = new PushSender({
      vapid: this.#vapid,
      subject: this.#o.subject,
      ttlSeconds: this.#o.ttlSeconds,
      maxQueue: this.#o.maxQueue,
      concurrency: 8,
      log: this.#log,
      onGone: (job) =>
        this.#store.deleteSubscriptionIfEndpoint(job.subscription.deviceId, job.subscription.endpoint),
      onRetry: (job) => this.#scheduleRetry(job, this.#clock.now()),
      ...(this.#onOutcome ? { onOutcome: this.#onOutcome } : {}),
    });
    this.#scheduler.registerHandler<PushRetryPayload>(PUSH_RETRY_JOB, (p) => this.#retry(p));
  }

  /**
   * Queues a retry in the durable schedule (it survives a restart and runs on any node), one per
   * device and conversation: a newer message's retry joins the pending one. The schedule's backoff
   * spaces the attempts; past the TTL the push is given up (a push service would drop it anyway).
   */
  async #scheduleRetry(job: PushJob, firstAt: number, runAt = this.#clock.now()) {
    const payload: PushRetryPayload = {
      deviceId: job.subscription.deviceId,
      conversationId: job.conversationId,
      senderId: job.senderId,
      firstAt,
    };
    await this.#scheduler.enqueue(PUSH_RETRY_JOB, payload, runAt, {
      dedupeKey: `push:${payload.deviceId}:${payload.conversationId}`,
    });
  }

  async #retry(p: PushRetryPayload) {
    const now = this.#clock.now();
    if (now - p.firstAt > this.#o.ttlSeconds * 1000) return undefined;
    const s = await this.#store.getSubscription(p.deviceId);
    // Gone meanwhile, or the device is connected now and has the message.
    if (!s || this.#isLive(s.deviceId)) return undefined;
    // Quiet hours began (or were moved) meanwhile: wait for their end, not a failure.
    const allowed = await this.#quietHours.nextAllowed(s.userId, now);
    if (allowed > now) return { deferUntil: allowed };
    const job = this.#job(s, p.conversationId, p.senderId);
    const outcome = await this.#sender?.deliver(job);
    if (outcome === "gone") await this.#store.deleteSubscriptionIfEndpoint(s.deviceId, s.endpoint);
    // The schedule retries it with backoff; the error text is all it keeps (no ids, no content).
    if (outcome === "retry") throw new Error("push service busy");
    return undefined;
  }

  /** The VAPID public key devices subscribe with. */
  publicKey(): string {
    if (!this.#vapid) throw new Error("PushService.start() was not awaited");
    return this.#vapid.publicKey;
  }

  async status(session: Session): Promise<PushStatusResponse> {
    const s = await this.#store.getSubscription(session.device.id);
    return { subscribed: s !== undefined, showSender: s?.showSender ?? false };
  }

  /** Sets this device's subscription (a new reference key each time: old references stop resolving). */
  async subscribe(session: Session, body: PushSubscribeBody): Promise<PushStatusResponse> {
    if (!endpointAllowed(body.endpoint, this.#o.origins))
      throw new HttpRefusal("bad_request", "body.endpoint");
    await this.#store.putSubscription({
      deviceId: session.device.id,
      userId: session.user.id,
      endpoint: body.endpoint,
      p256dh: body.keys.p256dh,
      auth: body.keys.auth,
      aliasKey: randomBytes(32).toString("base64url"),
      showSender: body.showSender,
      createdAt: new Date(this.#clock.now()).toISOString(),
    });
    this.#any = { value: true, at: this.#clock.now() };
    return { subscribed: true, showSender: body.showSender };
  }

  /** Removes the device's subscription (sign-out, quick exit, revocation, or the user's choice). */
  async forgetDevice(deviceId: DeviceId): Promise<void> {
    await this.#store.deleteSubscription(deviceId);
  }

  /** The conversation a push to this device referred to; `not_found` when none of the user's does. */
  async resolveRef(session: Session, ref: string): Promise<PushRefResponse> {
    const s = await this.#store.getSubscription(session.device.id);
    if (s) {
      for (const m of await this.#conversations.listMemberships(session.user.id)) {
        if (pushRef(s.aliasKey, m.conversationId) === ref) return { conversationId: m.conversationId };
      }
    }
    throw new HttpRefusal("not_found");
  }

  /**
   * A message was stored in a conversation: push to the other members' subscribed devices that hold
   * no live socket. Returns at once; the lookups and sends run after (never on the append path).
   */
  messageStored(conversationId: ConversationId, senderId: UserId): void {
    if (!this.#sender) return;
    const now = this.#clock.now();
    if (!this.#any.value && now - this.#any.at < ANY_RECHECK_MS) return;
    const work = this.#fanOut(conversationId, senderId, now).catch((err: unknown) => {
      this.#log.error({ err: { type: (err as Error).name } }, "push fan-out failed");
    });
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  async #fanOut(conversationId: ConversationId, senderId: UserId, now: number) {
    if (now - this.#any.at >= ANY_RECHECK_MS) {
      this.#any = { value: await this.#store.anySubscriptions(), at: now };
      if (!this.#any.value) return;
    }
    const subs = await this.#store.subscriptionsForConversation(conversationId, senderId);
    const allowedAt = new Map<UserId, number>();
    for (const s of subs) {
      if (this.#isLive(s.deviceId)) continue;
      let allowed = allowedAt.get(s.userId);
      if (allowed === undefined) {
        allowed = await this.#quietHours.nextAllowed(s.userId, now);
        allowedAt.set(s.userId, allowed);
      }
      const job = this.#job(s, conversationId, senderId);
      // In the user's quiet hours: the push waits in the durable schedule (one per device and
      // conversation, so a night's messages make one push) and goes out when they end.
      if (allowed > now) await this.#scheduleRetry(job, allowed, allowed);
      else this.#sender?.enqueue(job);
    }
  }

  /**
   * A check-in plan fell due: a content-free `checkin` push to each of the patient's subscribed
   * devices (live ones too: a reminder is not a message they already have), unless the patient is in
   * their quiet hours. It names only the
   * conversation's opaque reference; never the instrument, the therapist or a question.
   */
  async checkinReminder(userId: UserId, conversationId: ConversationId): Promise<void> {
    if (!this.#sender) return;
    // In the patient's quiet hours the reminder is left out, not held: a check-in reminder of the
    // evening arriving in the morning says nothing useful, and the check-in waits in the app anyway.
    const now = this.#clock.now();
    if ((await this.#quietHours.nextAllowed(userId, now)) > now) return;
    for (const s of await this.#store.subscriptionsForUser(userId)) {
      this.#sender.enqueue(this.#job(s, conversationId, userId, "checkin"));
    }
  }

  /**
   * A call rings in a conversation: a content-free `call` push ("Incoming call in Hearth") to the
   * other members' subscribed devices that hold no live socket, so a closed app rings too. Sent
   * once, never retried and kept by the push service only while a call rings (a ring is worthless
   * later: the call's trace arrives as a message); left out in the member's quiet hours.
   */
  callRinging(conversationId: ConversationId, callerId: UserId): void {
    if (!this.#sender) return;
    const work = (async () => {
      const now = this.#clock.now();
      if (now - this.#any.at >= ANY_RECHECK_MS)
        this.#any = { value: await this.#store.anySubscriptions(), at: now };
      if (!this.#any.value) return;
      for (const s of await this.#store.subscriptionsForConversation(conversationId, callerId)) {
        if (this.#isLive(s.deviceId)) continue;
        if ((await this.#quietHours.nextAllowed(s.userId, now)) > now) continue;
        const job = {
          ...this.#job(s, conversationId, callerId, "call"),
          ttlSeconds: 60,
          urgency: "high" as const,
        };
        const outcome = await this.#sender?.deliver(job);
        if (outcome === "gone") await this.#store.deleteSubscriptionIfEndpoint(s.deviceId, s.endpoint);
      }
    })().catch((err: unknown) => {
      this.#log.error({ err: { type: (err as Error).name } }, "call push failed");
    });
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  #job(
    s: PushSubscriptionRecord,
    conversationId: ConversationId,
    senderId: UserId,
    kind: PushPayload["kind"] = "message",
  ): PushJob {
    const ref = pushRef(s.aliasKey, conversationId);
    const payload: PushPayload = {
      v: 1,
      kind,
      ref,
      ...(s.showSender && kind === "message" ? { sender: senderId } : {}),
    };
    const plaintext = Buffer.from(JSON.stringify(payload));
    // A reminder or a ring gets its own topic: a push service replaces a waiting push of the same
    // topic, and neither must swallow (or be swallowed by) a message push.
    const topic =
      kind === "message" ? ref : pushRef(s.aliasKey, `${conversationId}:${kind}` as ConversationId);
    return { subscription: s, topic, plaintext, conversationId, senderId };
  }

  /**
   * An appointment reminder to every subscribed device of the user, sent now (the durable job that
   * calls this is the schedule): "Reminder from Hearth", and the session's start only when given
   * (the user opted in). The `Topic` is the subscription's own reference for "reminder", so a newer
   * reminder replaces one still waiting at the push service.
   */
  async remind(r: { userId: UserId; at?: number }) {
    if (!this.#sender) return;
    for (const s of await this.#store.subscriptionsForUser(r.userId)) {
      const payload: ReminderPushPayload = {
        v: 1,
        kind: "reminder",
        ...(r.at === undefined ? {} : { at: new Date(r.at).toISOString() }),
      };
      const topic = pushRef(s.aliasKey, "reminder" as ConversationId);
      const plaintext = Buffer.from(JSON.stringify(payload));
      const outcome = await this.#sender.deliver({
        subscription: s,
        topic,
        plaintext,
        // Only a retry would read these, and a reminder is never retried from here.
        conversationId: "reminder" as ConversationId,
        senderId: r.userId,
      });
      if (outcome === "gone") await this.#store.deleteSubscriptionIfEndpoint(s.deviceId, s.endpoint);
    }
  }

  /**
   * Resolves once every fan-out started so far has queued its pushes and the queue is empty (retries
   * waiting in the schedule are not waited for: `scheduler.runDue()` runs the due ones).
   */
  async idle() {
    while (this.#work.size > 0) await Promise.all([...this.#work]);
    await this.#sender?.idle();
  }

  async close() {
    await Promise.all([...this.#work]);
    await this.#sender?.close();
  }
}
