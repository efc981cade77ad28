import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Bus } from "./bus/bus.ts";
import type { ServerOptions } from "./config.ts";
import type { SharedCounter } from "./http/rate-limit-store.ts";
import type { BlobStore } from "./modules/blobs/blob-store.ts";
import type { TurnOptions } from "./modules/calls/call-service.ts";
import type { PromMetrics } from "./modules/metrics/prometheus/prom-metrics.ts";
import type { EmailNotifier, EmailNotifierOptions } from "./modules/notify/email-notifier.ts";
import type { Mailer } from "./modules/notify/mailer.ts";
import type { OfficeHoursService } from "./modules/office-hours/office-hours-service.ts";
import type { PushOptions } from "./modules/push/push-service.ts";
import type { QuietHours } from "./modules/schedule/quiet-hours.ts";
import type { Scheduler, SchedulerOptions } from "./modules/schedule/schedule-service.ts";
import type { Storage } from "./storage/storage.ts";

/** Input of {@link buildServer}: the storage is required, everything else has a default. */
export type BuildServerInput = Partial<Omit<ServerOptions, "storage" | "push" | "turn">> & {
  storage: Storage;
  /** STUN/TURN for calls, merged over the defaults (none). */
  turn?: Partial<TurnOptions>;
  /** Web Push settings, merged over the defaults. */
  push?: Partial<PushOptions>;
  /** TLS certificate and key (PEM). When set, the server speaks HTTPS and WSS only. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Where attachment blobs are stored; default the filesystem under `blobDir`. */
  blobStore?: BlobStore;
  /** Directory of the default filesystem blob store; default `./data/blobs`. */
  blobDir?: string;
  /**
   * Which HTTP requests are logged: `all` (Fastify's request and response lines, the default) or
   * `errors` (only answers of 400 and above, by route pattern and status; `npm start`'s default, so
   * health polls and ordinary traffic do not bury what matters).
   */
  accessLog?: "all" | "errors";
  /** The built web app to serve at `/`; default `apps/web/dist` of this checkout. */
  webDistDir?: string;
  /** The durable job loop's lease, poll interval, retries and node name (see {@link SchedulerOptions}). */
  scheduler?: SchedulerOptions;
  /** Where notification emails go out (SMTP); without one the server sends no email. */
  mailer?: Mailer;
  /** The email fallback's batching window, digest hour and unsubscribe-link lifetime. */
  email?: Omit<EmailNotifierOptions, "publicUrl">;
  /**
   * The bearer token `GET /metrics` asks for (HEARTH_METRICS_TOKEN); without one `/metrics` answers
   * `not_found` and metrics are read through {@link HearthServer.metrics} (a separate listener).
   */
  metricsToken?: string;
  /**
   * Where the HTTP rate limits count (Redis for a cluster, so one client's budget holds across
   * every node); default each process's memory.
   */
  rateLimitCounter?: SharedCounter;
};

/** A built, not yet listening, server. */
export interface HearthServer {
  app: FastifyInstance;
  logger: Logger;
  storage: Storage;
  bus: Bus;
  /** Durable jobs: other modules enqueue and register handlers here; its loop runs while listening. */
  scheduler: Scheduler;
  /** Each user's quiet hours (`nextAllowed(userId, instant)`), for email now and push later. */
  quietHours: QuietHours;
  /** The email fallback; tests wait for its delivery hooks with `drain()`. */
  notifier: EmailNotifier;
  /** Office hours and automatic replies; tests wait for its checks with `idle()`. */
  officeHours: OfficeHoursService;
  /** This server's Prometheus metrics (`metrics.text()`), also served at `/metrics` with the token. */
  metrics: PromMetrics;
  /** Listens; resolves with the base URL (`http://127.0.0.1:PORT`). */
  listen(port?: number, host?: string): Promise<string>;
  /** On a server not yet set up: a fresh one-time setup token; otherwise undefined. */
  prepareSetup(): Promise<string | undefined>;
  /**
   * Test hook: resolves once the pushes for every message stored so far were sent, given up, or
   * dropped (waiting retries included).
   */
  pushIdle(): Promise<void>;
  /** Stops accepting, closes sockets, flushes queued writes, closes the storage and the bus. */
  close(): Promise<void>;
}
