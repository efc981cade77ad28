import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { BuildServerInput, HearthServer } from "./build-server-types.ts";
import type { Bus } from "./bus/bus.ts";
import { MemoryBus } from "./bus/memory/memory-bus.ts";
import { systemClock } from "./clock.ts";
import { DEFAULTS, type ServerOptions } from "./config.ts";
import { createAuthentication } from "./http/authenticate.ts";
import { createHttpApp } from "./http/create-http-app.ts";
import { registerRouteSupport } from "./http/define-route.ts";
import { healthRoutes } from "./http/health-routes.ts";
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
import { FsBlobStore } from "./modules/blobs/fs/fs-blob-store.ts";
import { CallService } from "./modules/calls/call-service.ts";
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
import { EmailNotifier } from "./modules/notify/email-notifier.ts";
import { notifyPlugin } from "./modules/notify/notify-plugin.ts";
import { officeHoursPlugin } from "./modules/office-hours/office-hours-plugin.ts";
import { OfficeHoursService } from "./modules/office-hours/office-hours-service.ts";
import { pushRoutes } from "./modules/push/push-routes.ts";
import { PushService } from "./modules/push/push-service.ts";
import { QuietHours } from "./modules/schedule/quiet-hours.ts";
import { schedulePlugin } from "./modules/schedule/schedule-plugin.ts";
import { Scheduler } from "./modules/schedule/schedule-service.ts";
import { registerWeb } from "./modules/web/web-routes.ts";
import type { RunInTransaction } from "./storage/storage.ts";

export type { BuildServerInput, HearthServer } from "./build-server-types.ts";

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

  const app = await createHttpApp(input, options, { logger, storage, metrics });

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
