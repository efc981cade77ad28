import { type ConversationId, TYPING_REFRESH_MS, TYPING_TTL_MS, type UserId } from "@hearth/protocol";
import type { Clock, TimerHandle } from "./clock.ts";

/** What {@link Typing} needs from the client. */
export interface TypingHost {
  clock: Clock;
  /** After `set(id, true)` with no further call for this long, `active: false` goes. */
  idleMs: number;
  /** Sends a frame; false when there is no open socket. */
  send(frame: Record<string, unknown>): boolean;
  /** Someone else started or stopped typing. */
  changed(e: { conversationId: ConversationId; userId: UserId; active: boolean }): void;
}

/**
 * Typing indicators both ways: this user's (throttled, stopped by itself when idle or on send) and
 * the others' (each expires after its TTL). Ephemeral: nothing is stored. Internal to
 * {@link HearthClient}.
 */
export class Typing {
  readonly #host: TypingHost;
  readonly #out = new Map<string, { active: boolean; lastActiveAt: number; idle: TimerHandle }>();
  readonly #in = new Map<string, TimerHandle>();
  #enabled: boolean;

  constructor(host: TypingHost, enabled: boolean) {
    this.#host = host;
    this.#enabled = enabled;
  }

  /** See {@link HearthClient.setTyping}. */
  set(conversationId: ConversationId, active: boolean): void {
    if (!this.#enabled) return;
    const { clock } = this.#host;
    const now = clock.now();
    let t = this.#out.get(conversationId);
    if (!t) {
      t = { active: false, lastActiveAt: Number.NEGATIVE_INFINITY, idle: undefined };
      this.#out.set(conversationId, t);
    }
    clock.clearTimeout(t.idle);
    t.idle = undefined;
    if (active) {
      t.idle = clock.setTimeout(() => this.set(conversationId, false), this.#host.idleMs);
      // Throttle refreshes only while "typing" stands; after a stop (e.g. on send) start again at once.
      if (t.active && now - t.lastActiveAt < TYPING_REFRESH_MS) return;
      if (this.#host.send({ type: "typing", conversationId, active: true })) {
        t.active = true;
        t.lastActiveAt = now;
      }
    } else {
      if (t.active) this.#host.send({ type: "typing", conversationId, active: false });
      t.active = false;
    }
  }

  /** A message is being sent: it ends this user's typing there. */
  stopOnSend(conversationId: ConversationId): void {
    if (this.#out.get(conversationId)?.active) this.set(conversationId, false);
  }

  /** Turns sending typing indicators on or off; off stops every "typing" that stands. */
  setEnabled(enabled: boolean): void {
    if (!enabled) for (const cid of this.#out.keys()) this.set(cid as ConversationId, false);
    this.#enabled = enabled;
  }

  /** A `typing` frame from someone else; `active` expires by itself after `ttlMs`. */
  received(conversationId: ConversationId, userId: UserId, active: boolean, ttlMs: number): void {
    const { clock } = this.#host;
    const key = `${conversationId}|${userId}`;
    const wasActive = this.#in.has(key);
    clock.clearTimeout(this.#in.get(key));
    this.#in.delete(key);
    if (active) {
      const ttl = ttlMs > 0 ? ttlMs : TYPING_TTL_MS;
      this.#in.set(
        key,
        clock.setTimeout(() => {
          this.#in.delete(key);
          this.#host.changed({ conversationId, userId, active: false });
        }, ttl),
      );
      if (!wasActive) this.#host.changed({ conversationId, userId, active: true });
    } else if (wasActive) {
      this.#host.changed({ conversationId, userId, active: false });
    }
  }

  /** The client closed: no timer stays behind. */
  stop(): void {
    const { clock } = this.#host;
    for (const t of this.#in.values()) clock.clearTimeout(t);
    this.#in.clear();
    for (const t of this.#out.values()) clock.clearTimeout(t.idle);
    this.#out.clear();
  }
}
