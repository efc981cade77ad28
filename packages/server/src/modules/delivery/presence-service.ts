import type { DeviceId, UserId } from "@hearth/protocol";
import { type Bus, conversationTopic } from "../../bus/bus.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";

/**
 * Who is online, on this node: a count of live sockets per user. Presence is ephemeral — never
 * stored — and goes only to the people who share a conversation with the user, and only if the user
 * shows it (a therapist can hide it).
 */
export class PresenceService {
  readonly #conversations: ConversationStore;
  readonly #bus: Bus;
  readonly #sockets = new Map<UserId, number>();
  readonly #hidden = new Set<UserId>();
  /** Live sockets per device on this node (the push module skips devices that have one). */
  readonly #devices = new Map<DeviceId, number>();

  constructor(deps: { conversations: ConversationStore; bus: Bus }) {
    this.#conversations = deps.conversations;
    this.#bus = deps.bus;
  }

  /** Is the user online and showing it? */
  isVisible(userId: UserId): boolean {
    return (this.#sockets.get(userId) ?? 0) > 0 && !this.#hidden.has(userId);
  }

  /** Does this device hold a live socket on this node? */
  hasLiveSocket(deviceId: DeviceId): boolean {
    return this.#devices.has(deviceId);
  }

  async connected(userId: UserId, showPresence: boolean, deviceId?: DeviceId) {
    if (deviceId) this.#devices.set(deviceId, (this.#devices.get(deviceId) ?? 0) + 1);
    const n = (this.#sockets.get(userId) ?? 0) + 1;
    this.#sockets.set(userId, n);
    if (showPresence) this.#hidden.delete(userId);
    else this.#hidden.add(userId);
    if (n === 1 && showPresence) await this.#announce(userId, true);
  }

  async disconnected(userId: UserId, deviceId?: DeviceId) {
    const d = deviceId ? (this.#devices.get(deviceId) ?? 1) - 1 : 0;
    if (deviceId && d > 0) this.#devices.set(deviceId, d);
    else if (deviceId) this.#devices.delete(deviceId);
    const n = (this.#sockets.get(userId) ?? 1) - 1;
    if (n > 0) {
      this.#sockets.set(userId, n);
      return;
    }
    this.#sockets.delete(userId);
    const wasVisible = !this.#hidden.has(userId);
    this.#hidden.delete(userId);
    if (wasVisible) await this.#announce(userId, false);
  }

  async visibilityChanged(userId: UserId, show: boolean) {
    if (show) this.#hidden.delete(userId);
    else this.#hidden.add(userId);
    if ((this.#sockets.get(userId) ?? 0) > 0) await this.#announce(userId, show);
  }

  async #announce(userId: UserId, online: boolean) {
    for (const m of await this.#conversations.listMemberships(userId)) {
      this.#bus.publish(conversationTopic(m.conversationId), { type: "presence", userId, online });
    }
  }
}
