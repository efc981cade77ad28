import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { defineRoute } from "../../http/define-route.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { PromMetrics } from "./prometheus/prom-metrics.ts";
import { checkReadiness, type ReadinessPart } from "./readiness.ts";

/** What the operator's endpoints need. */
export interface MetricsRoutesOptions {
  metrics: PromMetrics;
  /** The bearer token `/metrics` asks for; without one, `/metrics` is not served here (`not_found`). */
  token: string | undefined;
  parts: readonly ReadinessPart[];
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * `GET /readyz` (public: names the failing parts only) and `GET /metrics` (the operator's bearer token,
 * compared in constant time; not served at all when no token is configured — the operator may serve
 * metrics on a separate listen address instead, see docs/operations.md).
 */
export async function metricsRoutes(app: FastifyInstance, opts: MetricsRoutesOptions) {
  const expected = opts.token ? digest(opts.token) : undefined;
  defineRoute(app, "ready", async ({ req, reply }) => {
    const answer = await checkReadiness(opts.parts, req.log as Logger);
    if (!answer.ready) reply.code(503);
    reply.header("cache-control", "no-store");
    return answer;
  });
  defineRoute(app, "metrics", async ({ req, reply }) => {
    if (!expected) throw new HttpRefusal("not_found");
    const header = req.headers.authorization;
    if (!header) throw new HttpRefusal("unauthenticated");
    const m = /^Bearer (.+)$/.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) throw new HttpRefusal("token_invalid");
    const text = await opts.metrics.text();
    return reply
      .header("content-type", opts.metrics.contentType)
      .header("cache-control", "no-store")
      .send(text);
  });
}
