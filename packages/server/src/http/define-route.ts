import {
  ROUTES,
  type RouteBody,
  type RouteLimit,
  type RouteName,
  type RouteParams,
  type RouteQuery,
  type RouteResponse,
  type RouteSpec,
} from "@hearth/protocol";
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  RouteShorthandOptions,
} from "fastify";
import type { z } from "zod";
import type { Session } from "../modules/auth/auth-service.ts";
import type { Authenticate } from "./authenticate.ts";
import { HttpRefusal } from "./reply-error.ts";
import { validate } from "./validate.ts";

/** What every route needs from the server: authentication and the rate-limit budgets. */
export interface RouteSupport {
  authenticate: Authenticate;
  /** Requests per minute and IP for each rate-limit class. */
  limits: Record<RouteLimit, number>;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Set once by {@link registerRouteSupport}; read by {@link defineRoute} in every module's plugin. */
    routeSupport: RouteSupport;
  }
  interface FastifyContextConfig {
    /** The name of the route in the protocol's ROUTES table. */
    routeName?: string;
  }
}

/** Installs what {@link defineRoute} uses; call once on the root instance, before any module plugin. */
export function registerRouteSupport(app: FastifyInstance, support: RouteSupport) {
  app.decorateRequest("session", null);
  app.decorate("routeSupport", support);
}

/** A route handler's input: the validated request parts and, unless the route is public, the session. */
export interface RouteContext<R extends RouteSpec> {
  params: RouteParams<R>;
  query: RouteQuery<R>;
  body: RouteBody<R>;
  session: R["auth"] extends "public" ? null : Session;
  req: FastifyRequest;
  reply: FastifyReply;
}

/**
 * What a handler returns: the JSON answer; for a 204 route anything (it is dropped and the helper
 * answers 204); for a binary answer, the reply it sent.
 */
export type RouteAnswer<R extends RouteSpec> = R["response"] extends "empty"
  ? unknown
  : R["response"] extends "binary" | "text"
    ? FastifyReply
    : RouteResponse<R>;

/** Route options a module may add (the rest comes from the table). */
export type RouteExtras = Pick<RouteShorthandOptions, "exposeHeadRoute" | "errorHandler">;

/** Answers to a signed-in request are that person's data: no cache (browser or proxy) may keep them. */
const noStore: onSendHookHandler = async (_req, reply, payload) => {
  const type = reply.getHeader("content-type");
  if (typeof type === "string" && type.startsWith("application/json"))
    reply.header("cache-control", "no-store");
  return payload;
};

/** Path parameters that fail their schema name nothing: `not_found`, like an unknown id. */
function validParams(schema: z.ZodType, input: unknown) {
  const r = schema.safeParse(input);
  if (!r.success) throw new HttpRefusal("not_found");
  return r.data;
}

/**
 * Registers one endpoint of the protocol's route table: its method and path, its authentication
 * hook, its rate-limit class, and validation of its path parameters (failing: `not_found`), query
 * and JSON body (failing: `bad_request` with the field's path). The handler gets them typed by the
 * table and returns the answer the table declares.
 *
 * @example
 * defineRoute(app, "me", async ({ session }) => meOf(session));
 */
export function defineRoute<N extends RouteName>(
  app: FastifyInstance,
  name: N,
  handler: (ctx: RouteContext<(typeof ROUTES)[N]>) => Promise<RouteAnswer<(typeof ROUTES)[N]>>,
  extras: RouteExtras = {},
) {
  const spec: RouteSpec = ROUTES[name];
  const { authenticate, limits } = app.routeSupport;
  const preHandler = authenticate(spec.auth);
  const rateLimit = spec.limit ? { rateLimit: { max: limits[spec.limit], timeWindow: "1 minute" } } : {};
  app.route({
    method: spec.method,
    url: spec.path,
    config: { routeName: name, ...rateLimit },
    ...(preHandler ? { preHandler } : {}),
    ...(spec.auth === "public" ? {} : { onSend: noStore }),
    ...extras,
    handler: async (req, reply) => {
      const ctx = {
        params: spec.params ? validParams(spec.params, req.params) : undefined,
        query: spec.query ? validate(spec.query, req.query) : undefined,
        body: spec.body && spec.body !== "binary" ? validate(spec.body, req.body) : undefined,
        session: req.session,
        req,
        reply,
      } as RouteContext<(typeof ROUTES)[N]>;
      const answer = await handler(ctx);
      if (spec.response === "empty") return reply.code(204).send();
      return answer;
    },
  });
}
