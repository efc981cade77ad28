import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";
import { type Bus, conversationTopic, type Subscription } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";

/** What the cache needs. */
export interface MemberDevicesCacheDeps {
  bus: Bus;
  clock: Clock;
  /** Reads the devices of a conversation's members from the store (one query per member). */
  load(conversationId: ConversationId): Promise<Map<DeviceId, UserId>>;
  /** How long a reading is used at most (bounds a lost invalidation on a network bus). */
  ttlMs?: number;
  /** The most conversations held at once (each holds one bus subscription). */
  max?: number;
}

interface Entry {
  devices: Promise<Map<DeviceId, UserId>>;
  loadedAt: number;
  sub: Subscription;
}

/**
 * The devices of a conversation's members, as call signals need them for every frame (a `signal`
 * must name one of them): read once, then kept until the conversation's devices change. Every change
 * of a member's devices — a new device's key packages, a device signed out or revoked, a password
 * change — is announced as a `devices` event on the conversation's topic (conversations never gain or
 * lose members after they are made), and that event drops the entry. The subscription is confirmed
 * before the store is read, so a change cannot slip between the read and the subscription; a lost
 * event on a network bus costs at most `ttlMs` of staleness.
 */
export class MemberDevicesCache {
  readonly #d: MemberDevicesCacheDeps;
  readonly #entries = new Map<ConversationId, Entry>();

  constructor(deps: MemberDevicesCacheDeps) {
    this.#d = deps;
  }

  /** The member devices of a conversation, by device id. */
  async get(conversationId: ConversationId): Promise<Map<DeviceId, UserId>> {
    this.#sweep();
    const hit = this.#entries.get(conversationId);
    if (hit) return hit.devices;
    const sub = this.#d.bus.subscribe(conversationTopic(conversationId), (e) => {
      if (e.type === "devices") this.#drop(conversationId, entry);
    });
    const entry: Entry = {
      loadedAt: this.#d.clock.now(),
      sub,
      devices: sub.ready.then(() => this.#d.load(conversationId)),
    };
    this.#entries.set(conversationId, entry);
    if (this.#entries.size > (this.#d.max ?? 1_000)) {
      const [oldest, e] = this.#entries.entries().next().value as [ConversationId, Entry];
      this.#drop(oldest, e);
    }
    // A failed read is not kept: the next frame reads again.
    entry.devices.catch(() => this.#drop(conversationId, entry));
    return entry.devices;
  }

  /** Reads a conversation's devices anew (one that signed in since is not announced until it has keys). */
  refresh(conversationId: ConversationId): Promise<Map<DeviceId, UserId>> {
    const e = this.#entries.get(conversationId);
    if (e) this.#drop(conversationId, e);
    return this.get(conversationId);
  }

  /** Forgets everything (the server is stopping). */
  close(): void {
    for (const [id, e] of [...this.#entries]) this.#drop(id, e);
  }

  /** Entries are kept in the order they were read: expired ones are at the front. */
  #sweep() {
    const cutoff = this.#d.clock.now() - (this.#d.ttlMs ?? 30_000);
    for (const [id, e] of this.#entries) {
      if (e.loadedAt > cutoff) return;
      this.#drop(id, e);
    }
  }

  #drop(conversationId: ConversationId, entry: Entry) {
    if (this.#entries.get(conversationId) !== entry) return;
    this.#entries.delete(conversationId);
    entry.sub.off();
  }
}
