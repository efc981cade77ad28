import { randomUUID } from "node:crypto";
import helmet from "@fastify/helmet";
import rateLimit, { type RateLimitPluginOptions } from "@fastify/rate-limit";
import { ERRORS, type ErrorCode, errorBody } from "@hearth/protocol";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { BuildServerInput } from "../build-server-types.ts";
import type { ServerOptions } from "../config.ts";
import type { PromMetrics } from "../modules/metrics/prometheus/prom-metrics.ts";
import type { Storage } from "../storage/storage.ts";
import { sharedStore } from "./rate-limit-store.ts";
import { HttpRefusal } from "./reply-error.ts";
import { securityHeaders } from "./security-headers.ts";

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "frame_too_large",
  FST_ERR_CTP_INVALID_JSON_BODY: "malformed_json",
  FST_ERR_CTP_EMPTY_JSON_BODY: "malformed_json",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "bad_request",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_VALIDATION: "bad_request",
};

/**
 * The Fastify instance {@link buildServer} registers its modules on, before any route: timeouts,
 * request ids, security headers, the rate limiter, the coded error answers (internals never reach a
 * client), the durable-write barrier before every answer, error counting and the access log.
 */
export async function createHttpApp(
  input: Pick<BuildServerInput, "tls" | "accessLog" | "rateLimitCounter">,
  options: ServerOptions,
  { logger, storage, metrics }: { logger: Logger; storage: Storage; metrics: PromMetrics },
): Promise<FastifyInstance> {
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
  return app;
}
