import type { Logger } from "pino";
import type { Bus } from "./bus/bus.ts";
import type { Clock } from "./clock.ts";
import type { TurnOptions } from "./modules/calls/call-service.ts";
import { DEFAULT_PUSH_ORIGINS } from "./modules/push/push-endpoints.ts";
import type { PushOptions } from "./modules/push/push-service.ts";
import type { Storage } from "./storage/storage.ts";

/** Everything `buildServer` can be given. Unset fields take the frozen {@link DEFAULTS}. */
export interface ServerOptions {
  /** Every module's storage port, over one database (required). */
  storage: Storage;
  /** The fan-out adapter; defaults to the in-process bus. */
  bus?: Bus;
  /** The logger; defaults to pino on stdout, with redaction. */
  logger?: Logger;
  /** Time and timers; defaults to the system clock. Tests pass a manual one. */
  clock?: Clock;
  /** Public base URL used in invite and setup links. */
  publicUrl: string;
  /** Largest accepted WebSocket frame or HTTP body, in bytes. */
  maxFrameBytes: number;
  /** WebSocket ping interval; a socket that misses one is closed. */
  heartbeatMs: number;
  /** A connection must send `hello` within this time. */
  helloTimeoutMs: number;
  /** An HTTP request's headers must arrive within this time (slow-header connections are cut, 408). */
  headersTimeoutMs: number;
  /** A whole HTTP request (headers and body, uploads included) must arrive within this time. */
  requestTimeoutMs: number;
  /** A session token unused for this long stops working. */
  sessionIdleMs: number;
  /** Default invite lifetime. */
  inviteTtlHours: number;
  /**
   * Failed sign-ins before a login is locked, and for how long; a login's count is forgotten
   * `forgetMs` after its last failure. Counted per login, whether or not an account has it.
   */
  lockout: { maxFailures: number; lockMs: number; forgetMs: number };
  /** Per-IP request limit on sign-in, setup and invite endpoints (per minute). */
  authRateLimitPerMinute: number;
  /** Per-connection frame budget: refill per second and burst. */
  frameRate: { perSecond: number; burst: number };
  /** Largest frame accepted before `hello`; larger ones get `frame_too_large` and close 1009. */
  preHelloMaxFrameBytes: number;
  /**
   * Byte budgets beside the frame budget (token buckets, bytes per second and burst): per socket, and
   * per user across all of the user's sockets on this node. Beyond either: `rate_limited`.
   */
  byteRate: { socket: { perSecond: number; burst: number }; user: { perSecond: number; burst: number } };
  /** A socket whose unsent buffer grows past this is dropped (the client resyncs). */
  maxBufferedBytes: number;
  /** Largest accepted attachment blob (ciphertext bytes); larger uploads get `blob_too_large`. */
  maxBlobBytes: number;
  /** Per-IP limit on blob uploads (per minute). */
  blobUploadRateLimitPerMinute: number;
  /** Total ciphertext bytes of blobs one user may have stored; beyond it `blob_quota_exceeded`. */
  blobQuotaBytes: number;
  /** argon2id cost. OWASP's minimum (19 MiB, t=2, p=1) by default; tests may lower it. */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /**
   * Web Push: the VAPID contact (empty: `publicUrl` when it is https, else a placeholder), the push
   * services endpoints may point at, the pushes' TTL, and the in-process queue's bounds.
   */
  push: PushOptions;
  /**
   * Calls: the STUN/TURN URLs handed to clients and coturn's shared secret (`HEARTH_TURN_URLS`,
   * `HEARTH_TURN_SECRET`), and how long issued TURN credentials live.
   */
  turn: TurnOptions;
}

/** Defaults, frozen. */
export const DEFAULTS: Readonly<Omit<ServerOptions, "storage" | "bus" | "logger" | "clock">> = Object.freeze({
  publicUrl: "http://localhost:8080",
  maxFrameBytes: 256 * 1024,
  heartbeatMs: 30_000,
  helloTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  sessionIdleMs: 30 * 24 * 3600_000,
  inviteTtlHours: 72,
  lockout: Object.freeze({ maxFailures: 5, lockMs: 15 * 60_000, forgetMs: 24 * 3600_000 }),
  authRateLimitPerMinute: 30,
  frameRate: Object.freeze({ perSecond: 300, burst: 1000 }),
  preHelloMaxFrameBytes: 64 * 1024,
  byteRate: Object.freeze({
    socket: Object.freeze({ perSecond: 1024 * 1024, burst: 4 * 1024 * 1024 }),
    user: Object.freeze({ perSecond: 2 * 1024 * 1024, burst: 8 * 1024 * 1024 }),
  }),
  maxBufferedBytes: 8 * 1024 * 1024,
  maxBlobBytes: 25 * 1024 * 1024,
  blobUploadRateLimitPerMinute: 120,
  blobQuotaBytes: 1024 * 1024 * 1024,
  argon2: Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  push: Object.freeze({
    subject: "",
    origins: DEFAULT_PUSH_ORIGINS,
    // Short: a notification about a message is of little use hours later, and the push service
    // keeps nothing longer than this.
    ttlSeconds: 3600,
    maxQueue: 10_000,
  }),
  turn: Object.freeze({ urls: Object.freeze([]) as readonly string[], secret: "", ttlSeconds: 3600 }),
});
