import type {
  CallFrame,
  CallSettings,
  ConversationId,
  DeviceId,
  ErrorCode,
  TurnCredentialsResponse,
  UserId,
} from "@hearth/protocol";
import { type Bus, conversationTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import type { Session } from "../auth/auth-service.ts";
import type { CallSettingsStore } from "./call-settings-store.ts";
import { MemberDevicesCache } from "./member-devices-cache.ts";
import { issueTurnCredentials } from "./turn-credentials.ts";

/** The operator's STUN/TURN configuration (`HEARTH_TURN_URLS`, `HEARTH_TURN_SECRET`). */
export interface TurnOptions {
  /** ICE server URLs handed to clients (`turn:host:3478?transport=udp`, `turns:…`, `stun:…`). */
  urls: readonly string[];
  /** coturn's `static-auth-secret`; empty: no credentials are issued (STUN-only or no ICE servers). */
  secret: string;
  /** Lifetime of issued credentials. Short: a leaked one stops working soon. */
  ttlSeconds: number;
}

/** What the call service needs. */
export interface CallServiceDeps {
  store: CallSettingsStore;
  bus: Bus;
  clock: Clock;
  turn: TurnOptions;
  /** The devices of the conversation's members, by device id (from the keys module). */
  memberDevices(conversationId: ConversationId): Promise<Map<DeviceId, UserId>>;
  /** A call started ringing (once per call, however often the caller re-rings): the push module rings closed apps. */
  onRing?(conversationId: ConversationId, callerId: UserId): void;
}

/** How long a call id is remembered so that its re-rings do not push again (longer than any ring). */
const RING_MEMORY_MS = 2 * 60_000;

/**
 * Calls: TURN credentials, the relay-only preference, and relaying call control between the devices
 * of a conversation. Nothing about a call is stored; a `signal` body is ciphertext (an MLS message)
 * that is relayed as it came.
 */
export class CallService {
  readonly #d: CallServiceDeps;
  /** A call sends dozens of signals: the member devices are read once, not per frame. */
  readonly #devices: MemberDevicesCache;
  /** Calls that rang lately, in order, with when (a re-ring of one of them pushes nothing). */
  readonly #rang = new Map<string, number>();

  constructor(deps: CallServiceDeps) {
    this.#d = deps;
    this.#devices = new MemberDevicesCache({
      bus: deps.bus,
      clock: deps.clock,
      load: (id) => deps.memberDevices(id),
    });
  }

  /** Drops the cached member devices and their bus subscriptions (the server is stopping). */
  close(): void {
    this.#devices.close();
  }

  /** The user's preferences; relay only is on by default for patients (their IP stays hidden). */
  async settings(session: Session): Promise<CallSettings> {
    const stored = await this.#d.store.getRelayOnly(session.user.id);
    return { relayOnly: stored ?? session.user.role === "patient" };
  }

  async updateSettings(session: Session, s: CallSettings): Promise<CallSettings> {
    await this.#d.store.setRelayOnly(
      session.user.id,
      s.relayOnly,
      new Date(this.#d.clock.now()).toISOString(),
    );
    return this.settings(session);
  }

  /** Fresh TURN credentials for the signed-in user, with the ICE server URLs and relay-only setting. */
  async turnCredentials(session: Session): Promise<TurnCredentialsResponse> {
    const { relayOnly } = await this.settings(session);
    const { urls, secret, ttlSeconds } = this.#d.turn;
    const nowSeconds = this.#d.clock.now() / 1000;
    if (!secret) {
      return {
        urls: [...urls],
        username: "",
        credential: "",
        expiresAt: new Date(this.#d.clock.now()).toISOString(),
        ttlSeconds: 0,
        relayOnly,
      };
    }
    const c = issueTurnCredentials({ secret, userId: session.user.id, nowSeconds, ttlSeconds });
    return {
      urls: [...urls],
      username: c.username,
      credential: c.credential,
      expiresAt: new Date(c.expiresAtSeconds * 1000).toISOString(),
      ttlSeconds,
      relayOnly,
    };
  }

  /**
   * Relays one call-control frame from a member's device (membership was checked by the caller). A
   * `signal` must name a device of a member of this conversation; anything else goes to every other
   * device of the conversation. Returns an error code, or undefined when relayed.
   */
  async relay(session: Session, f: CallFrame): Promise<{ code: ErrorCode; path?: string } | undefined> {
    if (f.action === "signal") {
      let devices = await this.#devices.get(f.conversationId);
      // Not among the cached devices: maybe one that signed in since; read once more before refusing.
      if (f.toDeviceId && !devices.has(f.toDeviceId)) devices = await this.#devices.refresh(f.conversationId);
      if (!f.toDeviceId || !devices.has(f.toDeviceId) || f.toDeviceId === session.device.id)
        return { code: "not_found", path: "toDeviceId" };
    }
    if (f.action === "ring") this.#pushRing(session, f);
    this.#d.bus.publish(conversationTopic(f.conversationId), {
      type: "call",
      conversationId: f.conversationId,
      callId: f.callId,
      action: f.action,
      fromUserId: session.user.id,
      fromDeviceId: session.device.id,
      ...(f.media ? { media: f.media } : {}),
      ...(f.toDeviceId ? { toDeviceId: f.toDeviceId } : {}),
      ...(f.body ? { body: f.body } : {}),
    });
    return undefined;
  }

  #pushRing(session: Session, f: CallFrame) {
    const now = this.#d.clock.now();
    for (const [id, at] of this.#rang) {
      if (now - at < RING_MEMORY_MS && this.#rang.size < 10_000) break;
      this.#rang.delete(id);
    }
    if (this.#rang.has(f.callId)) return;
    this.#rang.set(f.callId, now);
    this.#d.onRing?.(f.conversationId, session.user.id);
  }
}
