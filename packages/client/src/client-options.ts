import type { UserId } from "@hearth/protocol";
import type { BackoffOptions } from "./backoff.ts";
import type { CallsRtc } from "./calls/calls.ts";
import type { ClientStore } from "./client-store.ts";
import type { Clock } from "./clock.ts";
import type { WebSocketConstructor } from "./connection/connection.ts";
import type { DeviceKeyStore } from "./device-key-store.ts";
import type { PayloadCodec } from "./payload-codec.ts";

/** Options of {@link HearthClient}. `baseUrl`, `token` and one of `encryption` and `codec` are required. */
export interface HearthClientOptions {
  /** Base URL of the server (`http(s)://host:port`); the socket goes to `ws(s)://…/v1/ws`. */
  baseUrl: string;
  /** The device's session token (from login, setup or invite acceptance). */
  token: string;
  /**
   * The user the token belongs to, when the app already knows it (saved at sign-in). A view
   * (`client.conversation(id)`) loaded before the first connect then tells this user's messages
   * and their statuses apart at once; once connected, the server's `ready` is what counts.
   */
  userId?: UserId;
  /** WebSocket constructor; defaults to `globalThis.WebSocket`. In Node, pass `ws`. */
  WebSocket?: WebSocketConstructor;
  /** `fetch`, to fill a sequence gap over HTTP; defaults to the global one (else gaps reconnect). */
  fetch?: typeof globalThis.fetch;
  /** Clock and timers; defaults to the platform's. */
  clock?: Clock;
  /** Random source in [0, 1) for backoff jitter; defaults to `Math.random`. */
  random?: () => number;
  /** Cursors, outbox and local messages; defaults to a {@link MemoryClientStore}. */
  store?: ClientStore;
  /**
   * End-to-end encryption (MLS + archive layer): what every real client passes. Every message is
   * encrypted; call `client.crypto.setUp()` before connecting. Needs `fetch`.
   */
  encryption?: { keyStore: DeviceKeyStore };
  /**
   * Instead of `encryption`, a payload codec of your own. Tests and benchmarks pass
   * `unencryptedCodecForTests` here: **the server can read every message**. One of
   * `encryption` and `codec` is required; there is no default.
   */
  codec?: PayloadCodec;
  /** Reconnect backoff; default 250 ms to 30 s. */
  backoff?: BackoffOptions;
  /** An unanswered request (hello, send, delete, commit) recycles the socket after this. Default 15 s. */
  requestTimeoutMs?: number;
  /** Ping after this long without any frame from the server. Default 20 s. */
  heartbeatMs?: number;
  /** Reconnect if nothing at all arrives this long after a ping was due. Default 10 s. */
  heartbeatTimeoutMs?: number;
  /**
   * Sends in flight at once per conversation (conversations never wait for each other). Default 1:
   * strict order even when the server refuses one send transiently. Above 1, order still holds on
   * every path but one: a transient refusal (`rate_limited`, `internal`) of a message whose
   * successors in the same conversation were accepted.
   */
  maxInFlightPerConversation?: number;
  /** Delivered receipts are batched for this long. Default 50 ms. */
  receiptDelayMs?: number;
  /** After `setTyping(id, true)` with no further call for this long, send `active: false`. Default 5 s. */
  typingIdleMs?: number;
  /** Largest frame the server accepts; larger payloads are refused by `send`. Default 256 KiB. */
  maxFrameBytes?: number;
  /** Tell others what this user has read (else read receipts are private). Default true. */
  sendReadReceipts?: boolean;
  /** Send typing indicators. Default true. */
  sendTyping?: boolean;
  /** One page of a gap fill over HTTP is abandoned after this (and tried again later). Default 10 s. */
  gapFillTimeoutMs?: number;
  /**
   * Voice and video calls (`client.calls`): the platform's WebRTC (in a browser
   * `{ createPeerConnection: (c) => new RTCPeerConnection(c), getUserMedia: (c) => navigator.mediaDevices.getUserMedia(c) }`),
   * how long a call rings, and (tests) a forced ICE transport policy. Without `rtc` a call fails
   * with `media_unavailable`; calls also need `encryption`.
   */
  calls?: {
    rtc?: CallsRtc;
    ringTimeoutMs?: number;
    connectTimeoutMs?: number;
    iceTransportPolicy?: "relay" | "all";
  };
}
