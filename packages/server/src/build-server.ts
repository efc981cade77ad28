import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
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
import { HttpRefusal } from "./http/reply-error.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { createLogger } from "./logger.ts";
import { AuditLog } from "./modules/audit/audit-log.ts";
import { auditRoutes } from "./modules/audit/audit-routes.ts";
import { authRoutes } from "./modules/auth/auth-routes.ts";
import { AuthService } from "./modules/auth/auth-service.ts";
import { blobRoutes } from "./modules/blobs/blob-routes.ts";
import { BlobService } from "./modules/blobs/blob-service.ts";
import type { BlobStore } from "./modules/blobs/blob-store.ts";
import { FsBlobStore } from "./modules/blobs/fs/fs-blob-store.ts";
import { conversationRoutes } from "./modules/conversations/conversation-routes.ts";
import { ConversationService } from "./modules/conversations/conversation-service.ts";
import { ByteBudgets } from "./modules/delivery/byte-budget.ts";
import { DeliveryService } from "./modules/delivery/delivery-service.ts";
import { Gateway } from "./modules/delivery/gateway.ts";
import { PresenceService } from "./modules/delivery/presence-service.ts";
import { keysRoutes } from "./modules/keys/keys-routes.ts";
import { KeysService } from "./modules/keys/keys-service.ts";
import { registerWeb } from "./modules/web/web-routes.ts";
import type { RunInTransaction, Storage } from "./storage/storage.ts";

/** Input of {@link buildServer}: the storage is required, everything else has a default. */
export type BuildServerInput = Partial<Omit<ServerOptions, "storage">> & {
  storage: Storage;
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
};

/** A built, not yet listening, server. */
export interface HearthServer {
  app: FastifyInstance;
  logger: Logger;
  storage: Storage;
  bus: Bus;
  /** Listens; resolves with the base URL (`http://127.0.0.1:PORT`). */
  listen(port?: number, host?: string): Promise<string>;
  /** On a server not yet set up: a fresh one-time setup token; otherwise undefined. */
  prepareSetup(): Promise<string | undefined>;
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
  const options: ServerOptions = { ...DEFAULTS, ...input };
  const logger = input.logger ?? createLogger();
  const storage = input.storage;
  const bus = input.bus ?? new MemoryBus();
  const clock = input.clock ?? systemClock;

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
    requestTimeout: options.requestTimeoutMs,
    ...(input.tls
      ? { https: { cert: input.tls.cert, key: input.tls.key, ...timeouts } }
      : { http: timeouts }),
  }) as unknown as FastifyInstance;

  await app.register(helmet, securityHeaders(Boolean(input.tls)));
  await app.register(rateLimit, {
    global: false,
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

  const blobs = new BlobService({
    store: storage.blobs,
    conversations: storage.conversations,
    transaction,
    audit,
    blobs: input.blobStore ?? new FsBlobStore({ dir: input.blobDir ?? resolve("data", "blobs"), clock }),
    maxBlobBytes: options.maxBlobBytes,
    blobQuotaBytes: options.blobQuotaBytes,
  });
  const delivery = new DeliveryService({
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
  });

  // Every HTTP route comes from the protocol's route table, registered by its module's plugin.
  registerRouteSupport(app, {
    authenticate: createAuthentication(auth),
    limits: { auth: options.authRateLimitPerMinute, blob_upload: options.blobUploadRateLimitPerMinute },
  });
  await app.register(healthRoutes);
  await app.register(authRoutes, { auth, store: storage.auth, presence });
  await app.register(conversationRoutes, { conversations });
  await app.register(keysRoutes, { keys });
  await app.register(blobRoutes, { blobs });
  await app.register(auditRoutes, { audit, store: storage.audit });
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
      budgets,
      clock,
      log: logger,
      options,
    });
    return gateway;
  };

  return {
    app,
    logger,
    storage,
    bus,
    async listen(port = 0, host = "127.0.0.1") {
      openGateway();
      await app.listen({ port, host });
      const addr = app.server.address() as AddressInfo;
      const h = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      return `${input.tls ? "https" : "http"}://${h}:${addr.port}`;
    },
    prepareSetup: () => auth.prepareSetup(),
    async close() {
      await gateway?.close();
      await app.close();
      await delivery.drain();
      await bus.close();
      await storage.close();
    },
  };
}
