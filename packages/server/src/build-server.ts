import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import helmet from "@fastify/helmet";
import rateLimit, { type RateLimitPluginOptions } from "@fastify/rate-limit";
import { ERRORS, type ErrorCode, errorBody } from "@hearth/protocol";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { Bus } from "./bus/bus.ts";
import { MemoryBus } from "./bus/memory/memory-bus.ts";
import { systemClock } from "./clock.ts";
import { DEFAULTS, type ServerOptions } from "./config.ts";
import { createAuthentication } from "./http/authenticate.ts";
import { registerRouteSupport } from "./http/define-route.ts";
import { healthRoutes } from "./http/health-routes.ts";
import { type SharedCounter, sharedStore } from "./http/rate-limit-store.ts";
import { HttpRefusal } from "./http/reply-error.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { createLogger } from "./logger.ts";
import { adminRoutes } from "./modules/admin/admin-routes.ts";
import { AdminService } from "./modules/admin/admin-service.ts";
import { SignInLinkService } from "./modules/admin/sign-in-link-service.ts";
import { AppointmentService } from "./modules/appointments/appointment-service.ts";
import { appointmentsPlugin } from "./modules/appointments/appointments-plugin.ts";
import { ReminderService } from "./modules/appointments/reminder-service.ts";
import { formatSessionTime } from "./modules/appointments/session-time.ts";
import { AuditLog } from "./modules/audit/audit-log.ts";
import { auditRoutes } from "./modules/audit/audit-routes.ts";
import { accountRoutes } from "./modules/auth/account-routes.ts";
import { AccountService } from "./modules/auth/account-service.ts";
import { authRoutes } from "./modules/auth/auth-routes.ts";
import { AuthService } from "./modules/auth/auth-service.ts";
import { blobRoutes } from "./modules/blobs/blob-routes.ts";
import { BlobService } from "./modules/blobs/blob-service.ts";
import type { BlobStore } from "./modules/blobs/blob-store.ts";
import { FsBlobStore } from "./modules/blobs/fs/fs-blob-store.ts";
import { CallService, type TurnOptions } from "./modules/calls/call-service.ts";
import { callsPlugin } from "./modules/calls/calls-plugin.ts";
import { checkinPlugin } from "./modules/checkins/checkin-plugin.ts";
import { CheckinService } from "./modules/checkins/checkin-service.ts";
import { conversationRoutes } from "./modules/conversations/conversation-routes.ts";
import { ConversationService } from "./modules/conversations/conversation-service.ts";
import { ByteBudgets } from "./modules/delivery/byte-budget.ts";
import { DeliveryService } from "./modules/delivery/delivery-service.ts";
import { Gateway } from "./modules/delivery/gateway.ts";
import { PresenceService } from "./modules/delivery/presence-service.ts";
import { keysRoutes } from "./modules/keys/keys-routes.ts";
import { KeysService } from "./modules/keys/keys-service.ts";
import { metricsRoutes } from "./modules/metrics/metrics-routes.ts";
import { PromMetrics } from "./modules/metrics/prometheus/prom-metrics.ts";
import type { ReadinessPart } from "./modules/metrics/readiness.ts";
import { countingMailer } from "./modules/notify/counting-mailer.ts";
import { EmailNotifier, type EmailNotifierOptions } from "./modules/notify/email-notifier.ts";
import type { Mailer } from "./modules/notify/mailer.ts";
import { notifyPlugin } from "./modules/notify/notify-plugin.ts";
import { officeHoursPlugin } from "./modules/office-hours/office-hours-plugin.ts";
import { OfficeHoursService } from "./modules/office-hours/office-hours-service.ts";
import { pushRoutes } from "./modules/push/push-routes.ts";
import { type PushOptions, PushService } from "./modules/push/push-service.ts";
import { QuietHours } from "./modules/schedule/quiet-hours.ts";
import { schedulePlugin } from "./modules/schedule/schedule-plugin.ts";
import { Scheduler, type SchedulerOptions } from "./modules/schedule/schedule-service.ts";
import { registerWeb } from "./modules/web/web-routes.ts";
import type { RunInTransaction, Storage } from "./storage/storage.ts";

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

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "frame_too_large",
  FST_ERR_CTP_INVALID_JSON_BODY: "malformed_json",
  FST_ERR_CTP_EMPTY_JSON_BODY: "malformed_json",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "bad_request",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_VALIDATION: "bad_request",
};

/**
 * Assembles the server from its modules, in one place. Options are merged over frozen defaults.
 *
 * @example
 * const storage = await openSqliteStorage({ path: "./data/hearth.db" });
 * const server = await buildServer({ storage });
 * const url = await server.listen(8080, "localhost");
 */
export async function buildServer(input: BuildServerInput): Promise<HearthServer> {
  const options: ServerOptions = {
    ...DEFAULTS,
    ...input,
    push: { ...DEFAULTS.push, ...input.push },
    turn: { ...DEFAULTS.turn, ...input.turn },
  };
  const logger = input.logger ?? createLogger();
  const storage = input.storage;
  const bus: Bus = input.bus ?? new MemoryBus();
  const clock = input.clock ?? systemClock;
  const metrics = new PromMetrics();
  const mailer = input.mailer ? countingMailer(input.mailer, metrics) : undefined;

  // Slow clients do not hold connections: headers within `headersTimeoutMs`, the whole request within
  // `requestTimeoutMs`, checked every second (Node's default check runs only every 30 s).
  const timeouts = {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
  };
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: input.accessLog === "errors" }),
    bodyLimit: options.maxFrameBytes,
    trustProxy: false,
    // Every request gets a random id of our own (a client's `request-id` header is not trusted): each
    // log line of the request carries it as `reqId`, and the answer's `x-request-id` header names it,
    // so an operator can find the log lines of one failed request a person reports.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    requestTimeout: options.requestTimeoutMs,
    ...(input.tls
      ? { https: { cert: input.tls.cert, key: input.tls.key, ...timeouts } }
      : { http: timeouts }),
  }) as unknown as FastifyInstance;

  await app.register(helmet, securityHeaders(Boolean(input.tls)));
  await app.register(rateLimit, {
    global: false,
    ...(input.rateLimitCounter
      ? { store: sharedStore(input.rateLimitCounter) as unknown as RateLimitPluginOptions["store"] }
      : {}),
    errorResponseBuilder: () => ({ statusCode: 429, ...errorBody("rate_limited") }),
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpRefusal) {
      return reply.code(ERRORS[err.code].status).send(errorBody(err.code, err.path));
    }
    const e = err as { code?: string; statusCode?: number };
    const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
    if (mapped) return reply.code(ERRORS[mapped].status).send(errorBody(mapped));
    if (e.statusCode === 429) return reply.code(429).send(errorBody("rate_limited"));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(400).send(errorBody("bad_request"));
    }
    req.log.error({ err: { type: (err as Error).name, code: e.code } }, "request failed");
    return reply.code(500).send(errorBody("internal"));
  });
  // Every coded error answer is counted by its code (the body is JSON `{code, …}` on every 4xx/5xx).
  app.addHook("onSend", async (req, reply, payload) => {
    reply.header("x-request-id", req.id);
    // An answer never reports a write that a power loss could still undo (the embedded store syncs
    // its WAL off the event loop; this resolves at once when nothing was written since the last sync).
    await storage.durable();
    if (reply.statusCode >= 400 && typeof payload === "string") {
      const code = /^\{"code":"([a-z_]+)"/.exec(payload)?.[1];
      metrics.errorAnswered(code ?? `http_${reply.statusCode}`, "http");
    }
    return payload;
  });
  if (input.accessLog === "errors") {
    app.addHook("onResponse", async (req, reply) => {
      if (reply.statusCode < 400) return;
      // The route pattern, never the URL: a URL can carry ids a log should not keep.
      req.log.info(
        { method: req.method, route: req.routeOptions.url, statusCode: reply.statusCode },
        "request refused",
      );
    });
  }
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(errorBody("not_found")));

  // Each service gets its own module's port (`store`) and only the other ports it reads.
  const transaction: RunInTransaction = (fn) => storage.transaction(fn);
  const audit = new AuditLog(storage.audit);
  const auth = new AuthService({
    ...options,
    clock,
    store: storage.auth,
    conversations: storage.conversations,
    transaction,
    bus,
    audit,
    onDeviceRevoked: (deviceId) => push.forgetDevice(deviceId),
  });
  await auth.start();
  const conversations = new ConversationService({
    store: storage.conversations,
    delivery: storage.delivery,
    auth: storage.auth,
    transaction,
    bus,
    audit,
  });
  const presence = new PresenceService({ conversations: storage.conversations, bus });
  const budgets = new ByteBudgets(
    { frames: options.frameRate, socket: options.byteRate.socket, user: options.byteRate.user },
    clock,
  );
  const keys = new KeysService({
    store: storage.keys,
    conversations: storage.conversations,
    auth: storage.auth,
    audit,
    bus,
    clock,
  });

  const blobStore =
    input.blobStore ?? new FsBlobStore({ dir: input.blobDir ?? resolve("data", "blobs"), clock });
  const blobs = new BlobService({
    store: storage.blobs,
    conversations: storage.conversations,
    transaction,
    audit,
    blobs: blobStore,
    maxBlobBytes: options.maxBlobBytes,
    blobQuotaBytes: options.blobQuotaBytes,
  });
  const scheduler = new Scheduler({ store: storage.schedule, clock, log: logger }, input.scheduler);
  const quietHours = new QuietHours(
    async (userId) => (await storage.notify.getSettings(userId))?.quietHours ?? undefined,
  );
  const notifier = new EmailNotifier(
    {
      store: storage.notify,
      scheduler,
      clock,
      log: logger,
      ...(mailer ? { mailer } : {}),
    },
    { ...input.email, publicUrl: options.publicUrl },
  );
  const officeHours = new OfficeHoursService({
    store: storage.officeHours,
    conversations: storage.conversations,
    roleOf: (userId) => storage.notify.roleOf(userId),
    bus,
    audit,
    clock,
    log: logger,
  });
  const delivery = new DeliveryService({
    durable: () => storage.durable(),
    // Both modules hear of stored messages: the email fallback, and the automatic reply.
    events: {
      messageStored: (e) => {
        notifier.messageStored(e);
        officeHours.messageStored(e);
      },
      readUpTo: (e) => notifier.readUpTo(e),
    },
    store: storage.delivery,
    conversations: storage.conversations,
    bus,
    clock,
    // The metadata is gone already (the delete committed): a file left behind by an I/O failure is
    // never served again, so the failure is logged and the delete still acknowledged.
    onBlobsErased: (ids) =>
      blobs.erase(ids).catch((err: unknown) => {
        logger.error(
          { err: { type: (err as Error).name, code: (err as { code?: string }).code } },
          "blob erase failed",
        );
      }),
    onMessageStored: (conversationId, senderId) => push.messageStored(conversationId, senderId),
    metrics,
  });

  const push = new PushService({
    store: storage.push,
    meta: storage.auth,
    conversations: storage.conversations,
    isLive: (deviceId) => presence.hasLiveSocket(deviceId),
    scheduler,
    quietHours,
    clock,
    log: logger,
    onOutcome: (outcome) => metrics.pushOutcome(outcome),
    options: {
      ...options.push,
      subject:
        options.push.subject ||
        (options.publicUrl.startsWith("https:") ? options.publicUrl : "mailto:operator@hearth.invalid"),
    },
  });
  await push.start();
  const checkins = new CheckinService({
    store: storage.checkins,
    conversations: storage.conversations,
    scheduler,
    remind: (patientId, conversationId) => push.checkinReminder(patientId, conversationId),
    audit,
    clock,
    log: logger,
  });
  checkins.start();

  const reminders = new ReminderService({
    store: storage.appointments,
    conversations: storage.conversations,
    scheduler,
    clock,
    quietHours,
    log: logger,
    channels: {
      push: async (r) => {
        await push.remind({ userId: r.userId, ...(r.at ? { at: r.at.instant } : {}) });
      },
      email: (r) => notifier.remind(r.userId, r.at && formatSessionTime(r.at.instant, r.at.timeZone)),
    },
  });
  const appointments = new AppointmentService({
    store: storage.appointments,
    conversations: storage.conversations,
    bus,
    clock,
    reminders,
  });

  // Every HTTP route comes from the protocol's route table, registered by its module's plugin.
  registerRouteSupport(app, {
    authenticate: createAuthentication(auth),
    limits: { auth: options.authRateLimitPerMinute, blob_upload: options.blobUploadRateLimitPerMinute },
  });
  await app.register(healthRoutes);
  const readiness: ReadinessPart[] = [
    { name: "database", check: () => storage.ping() },
    ...(bus.ping
      ? [{ name: "redis" as const, check: () => (bus as Bus).ping?.() ?? Promise.resolve() }]
      : []),
    { name: "blobs", check: () => blobStore.check() },
  ];
  await app.register(metricsRoutes, { metrics, token: input.metricsToken, parts: readiness });
  metrics.attach({
    connections: () => gateway?.size ?? 0,
    jobs: () => scheduler.stats(0),
    pool: () => storage.poolStats(),
  });
  await app.register(authRoutes, { auth, store: storage.auth, presence });
  await app.register(accountRoutes, {
    account: new AccountService({
      ...options,
      clock,
      store: storage.auth,
      conversations: storage.conversations,
      transaction,
      bus,
      audit,
    }),
  });
  await app.register(conversationRoutes, { conversations });
  await app.register(keysRoutes, { keys });
  await app.register(blobRoutes, { blobs });
  await app.register(auditRoutes, { audit, store: storage.audit });
  await app.register(adminRoutes, {
    admin: new AdminService({ store: storage.admin, auth, audit, clock }),
    links: new SignInLinkService({
      argon2: options.argon2,
      store: storage.admin,
      accounts: storage.auth,
      conversations: storage.conversations,
      auth,
      audit,
      clock,
      transaction,
    }),
  });
  await app.register(schedulePlugin, { scheduler });
  await app.register(notifyPlugin, { notifier, audit });
  await app.register(pushRoutes, { push });
  await app.register(officeHoursPlugin, { officeHours });
  await app.register(appointmentsPlugin, {
    appointments,
    reminders,
    store: storage.appointments,
    conversations: storage.conversations,
    clock,
    publicUrl: options.publicUrl,
  });
  const calls = new CallService({
    store: storage.calls,
    bus,
    clock,
    turn: options.turn,
    memberDevices: (conversationId) => keys.memberDevices(conversationId),
    onRing: (conversationId, callerId) => push.callRinging(conversationId, callerId),
  });
  await app.register(callsPlugin, { calls });
  await app.register(checkinPlugin, { checkins });
  await registerWeb(app, {
    distDir: input.webDistDir ?? resolve(import.meta.dirname, "../../../apps/web/dist"),
  });

  let gateway: Gateway | undefined;
  const openGateway = () => {
    gateway ??= new Gateway(app.server, {
      conversations: storage.conversations,
      bus,
      auth,
      delivery,
      presence,
      keys,
      calls,
      budgets,
      clock,
      log: logger,
      metrics,
      options,
    });
    return gateway;
  };

  return {
    app,
    logger,
    storage,
    bus,
    scheduler,
    quietHours,
    notifier,
    officeHours,
    metrics,
    async listen(port = 0, host = "127.0.0.1") {
      openGateway();
      await app.listen({ port, host });
      scheduler.start();
      const addr = app.server.address() as AddressInfo;
      const h = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      return `${input.tls ? "https" : "http"}://${h}:${addr.port}`;
    },
    prepareSetup: () => auth.prepareSetup(),
    pushIdle: () => push.idle(),
    async close() {
      await scheduler.stop();
      await gateway?.close();
      await app.close();
      await delivery.drain();
      await notifier.drain();
      await officeHours.idle();
      await mailer?.close();
      await push.close();
      calls.close();
      await bus.close();
      await storage.close();
    },
  };
}
