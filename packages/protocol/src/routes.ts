import type { z } from "zod";
import {
  AuditQuerySchema,
  AuditResponseSchema,
  AuditVerifyResponseSchema,
  HealthResponseSchema,
  ReadyResponseSchema,
} from "./http.ts";
import { ACCOUNT_ROUTES } from "./routes-accounts.ts";
import { ADMIN_ROUTES } from "./routes-admin.ts";
import { APPOINTMENT_ROUTES } from "./routes-appointments.ts";
import { CALL_ROUTES } from "./routes-calls.ts";
import { CHECKIN_ROUTES } from "./routes-checkins.ts";
import { BLOB_ROUTES, CONVERSATION_ROUTES } from "./routes-conversations.ts";
import { KEY_ROUTES, TRANSFER_ROUTES } from "./routes-keys.ts";
import { NOTIFY_ROUTES } from "./routes-notify.ts";
import { OFFICE_HOURS_ROUTES } from "./routes-office-hours.ts";
import { PUSH_ROUTES } from "./routes-push.ts";

/** HTTP methods the API uses. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call a route: anyone (`public`), a signed-in device (`session`, `Authorization: Bearer`),
 * or a signed-in practice admin (`admin`).
 */
export type RouteAuth = "public" | "session" | "admin";

/** A per-IP rate-limit class; the server configures each class's budget per minute. */
export type RouteLimit = "auth" | "blob_upload";

/**
 * One HTTP endpoint of the protocol: method, path (`:name` segments are path parameters), who may
 * call it, and the schemas of its parameters, query, body and answer. The server registers its
 * routes from these and validates every request part with them; the SDK's `HearthApi` builds its
 * requests from them and validates every answer with them. Path parameters that fail their schema
 * are answered `not_found` (the path names nothing); a bad query or body is `bad_request`, with the
 * failing field's path.
 */
export interface RouteSpec {
  readonly method: HttpMethod;
  readonly path: `/${string}`;
  readonly auth: RouteAuth;
  readonly limit?: RouteLimit;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  /** A JSON body's schema; `"binary"` for an `application/octet-stream` body; absent: no body. */
  readonly body?: z.ZodType | "binary";
  /**
   * A JSON answer's schema (status 200); `"empty"` for 204; `"binary"` for an octet-stream answer;
   * `"text"` for a plain-text answer (the Prometheus metrics).
   */
  readonly response: z.ZodType | "empty" | "binary" | "text";
  /** One line for docs/protocol.md and the SDK's method docs. */
  readonly summary: string;
}

const route = <const R extends RouteSpec>(r: R): R => r;

/**
 * Every HTTP endpoint of protocol version 1, by name. The WebSocket (`WS_PATH`) is the only path
 * not listed here. Each feature area's routes live in their own `routes-<area>.ts` file; the
 * health, metrics and audit routes are listed here.
 */
export const ROUTES = {
  health: route({
    method: "GET",
    path: "/healthz",
    auth: "public",
    response: HealthResponseSchema,
    summary: "Is the server up?",
  }),
  ready: route({
    method: "GET",
    path: "/readyz",
    auth: "public",
    response: ReadyResponseSchema,
    summary: "Can the server serve now? Database, Redis (when configured) and blob store; 503 when not.",
  }),
  metrics: route({
    method: "GET",
    path: "/metrics",
    // Not a session: a bearer token of its own (HEARTH_METRICS_TOKEN), checked by the ops module.
    auth: "public",
    response: "text",
    summary: "Prometheus metrics (text format) with the metrics token as bearer; not_found when unset.",
  }),
  ...ACCOUNT_ROUTES,
  ...CONVERSATION_ROUTES,
  ...KEY_ROUTES,
  ...TRANSFER_ROUTES,
  ...BLOB_ROUTES,
  audit: route({
    method: "GET",
    path: "/v1/audit",
    auth: "admin",
    query: AuditQuerySchema,
    response: AuditResponseSchema,
    summary: "Audit entries with seq > `after`; ids only, never content (reading it is audited).",
  }),
  verifyAudit: route({
    method: "GET",
    path: "/v1/audit/verify",
    auth: "admin",
    response: AuditVerifyResponseSchema,
    summary: "Checks the audit log's hash chain.",
  }),
  ...ADMIN_ROUTES,
  ...CHECKIN_ROUTES,
  ...NOTIFY_ROUTES,
  ...CALL_ROUTES,
  ...PUSH_ROUTES,
  ...APPOINTMENT_ROUTES,
  ...OFFICE_HOURS_ROUTES,
} as const satisfies Record<string, RouteSpec>;

/** The name of an HTTP endpoint in {@link ROUTES}. */
export type RouteName = keyof typeof ROUTES;

type SchemaOf<R, K extends "params" | "query" | "body"> = R extends { [P in K]: infer S extends z.ZodType }
  ? S
  : never;

/** What a caller passes as a route's path parameters (ids as plain strings are fine). */
export type RouteParamsInput<R extends RouteSpec> = [SchemaOf<R, "params">] extends [never]
  ? undefined
  : z.input<SchemaOf<R, "params">>;
/** A route's validated path parameters (branded ids), as a handler sees them. */
export type RouteParams<R extends RouteSpec> = [SchemaOf<R, "params">] extends [never]
  ? undefined
  : z.output<SchemaOf<R, "params">>;
/** What a caller passes as a route's query. */
export type RouteQueryInput<R extends RouteSpec> = [SchemaOf<R, "query">] extends [never]
  ? undefined
  : z.input<SchemaOf<R, "query">>;
/** A route's validated query, with defaults applied. */
export type RouteQuery<R extends RouteSpec> = [SchemaOf<R, "query">] extends [never]
  ? undefined
  : z.output<SchemaOf<R, "query">>;
/** What a caller passes as a route's JSON body. */
export type RouteBodyInput<R extends RouteSpec> = [SchemaOf<R, "body">] extends [never]
  ? undefined
  : z.input<SchemaOf<R, "body">>;
/** A route's validated JSON body. */
export type RouteBody<R extends RouteSpec> = [SchemaOf<R, "body">] extends [never]
  ? undefined
  : z.output<SchemaOf<R, "body">>;
/** A route's answer: the parsed JSON, nothing (204), or bytes. */
export type RouteResponse<R extends RouteSpec> = R["response"] extends z.ZodType
  ? z.output<R["response"]>
  : R["response"] extends "empty"
    ? undefined
    : R["response"] extends "text"
      ? string
      : Uint8Array;

/**
 * The path of a route with its parameters filled in (each percent-encoded).
 *
 * @example
 * routePath(ROUTES.history, { id: conversationId }); // "/v1/conversations/cnv_…/messages"
 */
export function routePath(route: RouteSpec, params?: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name} for ${route.path}`);
    return encodeURIComponent(value);
  });
}

/** A route's query as a search string (`?after=0&limit=100`), or "" when it has none. */
export function routeQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return "";
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : "";
}
