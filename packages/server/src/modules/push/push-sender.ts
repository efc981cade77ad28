import type { ConversationId, UserId } from "@hearth/protocol";
import type { Logger } from "pino";
import webpush from "web-push";
import { shortId } from "../../logger.ts";
import { encryptPush } from "./push-crypto.ts";
import type { PushSubscriptionRecord } from "./push-store.ts";
import type { VapidKeys } from "./vapid-keys.ts";

/** One push to send: to whom, its collapse topic, and its plaintext (encrypted per attempt). */
export interface PushJob {
  subscription: PushSubscriptionRecord;
  /** The `Topic` header (RFC 8030 §5.4): opaque, at most 32 base64url characters. */
  topic: string;
  plaintext: Buffer;
  /** What the push is about (kept for a retry; never sent). */
  conversationId: ConversationId;
  senderId: UserId;
  /** A shorter `TTL` than the sender's (a ring is worthless once the call stopped ringing). */
  ttlSeconds?: number;
  /** `high` for a ring (RFC 8030 §5.3: a device in power saving wakes for it). */
  urgency?: "normal" | "high";
}

/**
 * What a push service made of one push: `sent` (2xx), `gone` (404/410: the subscription is dead),
 * `retry` (429, 5xx, a network failure or timeout), `refused` (any other answer: not retried).
 */
export type PushOutcome = "sent" | "gone" | "retry" | "refused";

/** How the sender talks to push services, and what it does with each outcome. */
export interface PushSenderOptions {
  vapid: VapidKeys;
  /** The VAPID `sub` claim: a `mailto:` or `https:` contact for the push services' operators. */
  subject: string;
  /** The `TTL` header: how long a push service keeps an undelivered push, in seconds. */
  ttlSeconds: number;
  /** Most pushes waiting to be sent; beyond it new ones are dropped (logged). */
  maxQueue: number;
  /** Pushes in flight at once. */
  concurrency: number;
  log: Logger;
  /** A push came back `gone` (404 or 410). */
  onGone(job: PushJob): Promise<void>;
  /** A push came back `retry`: hand it to something that tries again later (the durable schedule). */
  onRetry(job: PushJob): Promise<void>;
  /** Every attempt's outcome, for the metrics (counts only). */
  onOutcome?(outcome: PushOutcome): void;
}

/**
 * Delivers pushes to push services (RFC 8030) with VAPID (RFC 8292) and RFC 8291 encryption, from a
 * bounded in-process queue. A push waiting for the same (device, topic) as a new one is replaced by
 * it, as the push service would collapse them. Each push is tried once here; what to do after a
 * `gone` or `retry` outcome is the caller's ({@link PushSenderOptions}).
 */
export class PushSender {
  readonly #o: PushSenderOptions;
  /** Waiting pushes by `deviceId topic`, in arrival order. */
  readonly #waiting = new Map<string, PushJob>();
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(options: PushSenderOptions) {
    this.#o = options;
  }

  /** Queues a push; returns false when the queue is full (or closed) and it was dropped. */
  enqueue(job: PushJob): boolean {
    if (this.#closed) return false;
    const key = `${job.subscription.deviceId} ${job.topic}`;
    if (!this.#waiting.has(key) && this.#waiting.size >= this.#o.maxQueue) {
      this.#o.log.warn({ queued: this.#waiting.size }, "push queue full, push dropped");
      return false;
    }
    // Collapse: a newer push replaces the one not yet sent (and keeps its place).
    this.#waiting.set(key, job);
    this.#pump();
    return true;
  }

  /** Resolves once nothing is waiting or in flight. */
  async idle(): Promise<void> {
    if (this.#waiting.size === 0 && this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Stops taking pushes; waiting ones are dropped, those in flight finish. */
  async close() {
    this.#closed = true;
    this.#waiting.clear();
    await this.idle();
  }

  #pump() {
    while (this.#inFlight < this.#o.concurrency && this.#waiting.size > 0) {
      const [key, job] = this.#waiting.entries().next().value as [string, PushJob];
      this.#waiting.delete(key);
      this.#inFlight += 1;
      void this.#handle(job).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
        if (this.#waiting.size === 0 && this.#inFlight === 0) {
          for (const resolve of this.#idle.splice(0)) resolve();
        }
      });
    }
  }

  async #handle(job: PushJob) {
    const outcome = await this.deliver(job);
    try {
      if (outcome === "gone") await this.#o.onGone(job);
      else if (outcome === "retry") await this.#o.onRetry(job);
    } catch (err) {
      this.#o.log.error({ err: { type: (err as Error).name } }, "push follow-up failed");
    }
  }

  /** Sends one push, once, and says what the push service made of it. Never throws. */
  async deliver(job: PushJob): Promise<PushOutcome> {
    const outcome = await this.#deliver(job);
    this.#o.onOutcome?.(outcome);
    return outcome;
  }

  async #deliver(job: PushJob): Promise<PushOutcome> {
    const { subscription: s, topic, plaintext } = job;
    let status: number | undefined;
    try {
      const res = await fetch(s.endpoint, {
        method: "POST",
        headers: this.#headers(s.endpoint, topic, job),
        body: new Uint8Array(encryptPush(plaintext, { p256dh: s.p256dh, auth: s.auth })),
        redirect: "error",
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch {
      status = undefined; // network failure or timeout
    }
    const device = shortId(s.deviceId);
    if (status !== undefined && status >= 200 && status < 300) return "sent";
    if (status === 404 || status === 410) {
      this.#o.log.info({ device, status }, "push subscription gone, removed");
      return "gone";
    }
    if (status === undefined || status === 429 || status >= 500) {
      this.#o.log.info({ device, status: status ?? "network" }, "push service busy, will retry");
      return "retry";
    }
    this.#o.log.warn({ device, status }, "push refused by the push service");
    return "refused";
  }

  #headers(endpoint: string, topic: string, job: PushJob): Record<string, string> {
    const { origin } = new URL(endpoint);
    const { vapid } = this.#o;
    const auth = webpush.getVapidHeaders(
      origin,
      this.#o.subject,
      vapid.publicKey,
      vapid.privateKey,
      "aes128gcm",
    );
    return {
      Authorization: String(auth.Authorization),
      TTL: String(Math.min(job.ttlSeconds ?? this.#o.ttlSeconds, this.#o.ttlSeconds)),
      Topic: topic,
      Urgency: job.urgency ?? "normal",
      "Content-Encoding": "aes128gcm",
      "Content-Type": "application/octet-stream",
    };
  }
}
