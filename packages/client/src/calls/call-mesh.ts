import type { DeviceId, TurnCredentialsResponse, UserId } from "@hearth/protocol";
import type { Clock } from "../clock.ts";
import type { CallSignal } from "./call-signal.ts";
import type { CallFailure } from "./call-state.ts";
import { type MediaStreamLike, type PeerConfig, type PeerConnectionLike, PeerLink } from "./peer-link.ts";

/*
 * A call is a full mesh: one RTCPeerConnection per remote device taking part, each with its own
 * offer/answer, ICE candidates and DTLS fingerprint check. With n participants every device sends its
 * media n − 1 times, so uplink bandwidth and CPU grow linearly per device; {@link MAX_CALL_PARTICIPANTS}
 * (in `call-state.ts`) keeps that within what a phone on a home connection can carry (about 6 for video).
 * Who offers on each pair is the roster's decision (`call-roster.ts`).
 */

/** One remote device of the call, as the call screen sees it. */
export interface CallParticipant {
  userId: UserId;
  deviceId: DeviceId;
  /** This device's peer connection to that device. */
  pc: PeerConnectionLike;
  /** DTLS is up and its certificate matched what came end-to-end encrypted. */
  connected: boolean;
  /** It was connected, then its path went away: ICE is being restarted. */
  reconnecting: boolean;
  /** Their media stream, once it arrived (a `MediaStream` in a browser). */
  remoteStream: unknown;
}

/** What the mesh reports to its call, per remote device. */
export interface CallMeshHost {
  signal(to: DeviceId, s: CallSignal): void;
  connected(deviceId: DeviceId): void;
  /** A link's path went away; ICE is being restarted. */
  reconnecting(deviceId: DeviceId): void;
  failed(deviceId: DeviceId, f: CallFailure): void;
  remoteStream(deviceId: DeviceId, stream: unknown): void;
}

interface Entry {
  userId: UserId;
  link: PeerLink;
  connected: boolean;
  reconnecting: boolean;
  remote: unknown;
}

/** The peer connections of one call, by remote device. */
export class CallMesh {
  readonly #host: CallMeshHost;
  readonly #entries = new Map<DeviceId, Entry>();
  readonly #clock: Clock;

  constructor(host: CallMeshHost, clock: Clock) {
    this.#host = host;
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(deviceId: DeviceId): boolean {
    return this.#entries.has(deviceId);
  }

  link(deviceId: DeviceId): PeerLink | undefined {
    return this.#entries.get(deviceId)?.link;
  }

  /** The remote devices, in the order their links were opened. */
  participants(): CallParticipant[] {
    return [...this.#entries].map(([deviceId, e]) => ({
      userId: e.userId,
      deviceId,
      pc: e.link.pc,
      connected: e.connected,
      reconnecting: e.reconnecting,
      remoteStream: e.remote,
    }));
  }

  /** Opens the link to one remote device (sending this device's tracks), or returns the open one. */
  open(
    to: { userId: UserId; deviceId: DeviceId },
    pc: () => PeerConnectionLike,
    local: MediaStreamLike | undefined,
    paused: { audio: boolean; video: boolean },
  ): PeerLink {
    const existing = this.#entries.get(to.deviceId);
    if (existing) return existing.link;
    const id = to.deviceId;
    const entry: Entry = {
      userId: to.userId,
      connected: false,
      reconnecting: false,
      remote: undefined,
      link: undefined as never,
    };
    entry.link = new PeerLink(
      pc(),
      {
        signal: (s) => this.#host.signal(id, s),
        connected: () => {
          entry.connected = true;
          entry.reconnecting = false;
          this.#host.connected(id);
        },
        reconnecting: () => {
          entry.connected = false;
          entry.reconnecting = true;
          this.#host.reconnecting(id);
        },
        failed: (f) => this.#host.failed(id, f),
        remoteStream: (stream) => {
          entry.remote = stream;
          this.#host.remoteStream(id, stream);
        },
      },
      local,
      this.#clock,
    );
    this.#entries.set(id, entry);
    // Muted or camera off before this device joined: its link starts that way.
    if (paused.audio) void entry.link.pause("audio", true);
    if (paused.video) void entry.link.pause("video", true);
    return entry.link;
  }

  /** Closes the link to one device (it left or its path failed). */
  drop(deviceId: DeviceId): void {
    this.#entries.get(deviceId)?.link.close();
    this.#entries.delete(deviceId);
  }

  /** Pauses or resumes one kind of media on every link. */
  pause(kind: "audio" | "video", paused: boolean): void {
    for (const e of this.#entries.values()) void e.link.pause(kind, paused);
  }

  /** Closes every link. */
  close(): void {
    for (const e of this.#entries.values()) e.link.close();
    this.#entries.clear();
  }
}

/**
 * Each link's RTCConfiguration from the server's TURN answer: its ICE servers with the short-lived
 * credentials, relay only when the user chose it (or `forced`, for tests).
 */
export function peerConfigFrom(turn: TurnCredentialsResponse, forced?: "relay" | "all"): PeerConfig {
  return {
    iceServers:
      turn.urls.length === 0
        ? []
        : [
            turn.username
              ? { urls: turn.urls, username: turn.username, credential: turn.credential }
              : { urls: turn.urls },
          ],
    iceTransportPolicy: forced ?? (turn.relayOnly ? "relay" : "all"),
  };
}
