import { z } from "zod";
import { BlobIdSchema, BlobUploadResponseSchema } from "./blobs.ts";
import { CallSettingsSchema, TurnCredentialsResponseSchema } from "./calls.ts";
import {
  AcceptInviteBodySchema,
  ArchiveKeyBodySchema,
  AuditQuerySchema,
  AuditResponseSchema,
  AuditVerifyResponseSchema,
  ChangePasswordBodySchema,
  ClaimKeyPackagesBodySchema,
  ClaimKeyPackagesResponseSchema,
  ConversationSummarySchema,
  CreateConversationBodySchema,
  CreateInviteBodySchema,
  CreateInviteResponseSchema,
  DeviceSummarySchema,
  GroupStateResponseSchema,
  HealthResponseSchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
  IdentityKeyBodySchema,
  InviteInfoResponseSchema,
  InviteTokenParamsSchema,
  KeyPackageCountResponseSchema,
  KeyPackagesBodySchema,
  LoginAvailableBodySchema,
  LoginAvailableResponseSchema,
  LoginBodySchema,
  MeResponseSchema,
  ReadyResponseSchema,
  RenameDeviceBodySchema,
  SessionResponseSchema,
  SettingsBodySchema,
  SetupBodySchema,
  SetupStatusResponseSchema,
  TransferBodySchema,
  TransferIdSchema,
  TransferResponseSchema,
  UnlockBodySchema,
  UserKeysResponseSchema,
} from "./http.ts";
import { ConversationIdSchema, DeviceIdSchema, UserIdSchema } from "./ids.ts";
import { JobStatsResponseSchema, NotificationSettingsSchema, UnsubscribeParamsSchema } from "./notify.ts";
import {
  PushKeyResponseSchema,
  PushRefParamsSchema,
  PushRefResponseSchema,
  PushStatusResponseSchema,
  PushSubscribeBodySchema,
} from "./push.ts";
import { ADMIN_ROUTES } from "./routes-admin.ts";
import { APPOINTMENT_ROUTES } from "./routes-appointments.ts";
import { CHECKIN_ROUTES } from "./routes-checkins.ts";
import { OFFICE_HOURS_ROUTES } from "./routes-office-hours.ts";

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

const ConversationParams = z.strictObject({ id: ConversationIdSchema });

/**
 * Every HTTP endpoint of protocol version 1, by name. The WebSocket (`WS_PATH`) is the only path
 * not listed here.
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
  setupStatus: route({
    method: "GET",
    path: "/v1/setup",
    auth: "public",
    response: SetupStatusResponseSchema,
    summary: "Does the server still need its first admin?",
  }),
  setup: route({
    method: "POST",
    path: "/v1/setup",
    auth: "public",
    limit: "auth",
    body: SetupBodySchema,
    response: SessionResponseSchema,
    summary: "Creates the practice and its first admin with the one-time setup token.",
  }),
  login: route({
    method: "POST",
    path: "/v1/auth/login",
    auth: "public",
    limit: "auth",
    body: LoginBodySchema,
    response: SessionResponseSchema,
    summary: "Signs in a new device session.",
  }),
  logout: route({
    method: "POST",
    path: "/v1/auth/logout",
    auth: "session",
    response: "empty",
    summary: "Revokes this device's token; its socket closes.",
  }),
  unlock: route({
    method: "POST",
    path: "/v1/auth/unlock",
    auth: "session",
    limit: "auth",
    body: UnlockBodySchema,
    response: "empty",
    summary: "Checks the signed-in person's password to lift the app's screen lock (counts towards lockout).",
  }),
  changePassword: route({
    method: "POST",
    path: "/v1/auth/password",
    auth: "session",
    limit: "auth",
    body: ChangePasswordBodySchema,
    response: "empty",
    summary:
      "Changes my password (the current one proves it is me; counts towards lockout); my other devices are signed out.",
  }),
  me: route({
    method: "GET",
    path: "/v1/me",
    auth: "session",
    response: MeResponseSchema,
    summary: "The signed-in user and device.",
  }),
  updateSettings: route({
    method: "PATCH",
    path: "/v1/me/settings",
    auth: "session",
    body: SettingsBodySchema,
    response: MeResponseSchema,
    summary: "Changes the display name or presence visibility.",
  }),
  devices: route({
    method: "GET",
    path: "/v1/devices",
    auth: "session",
    response: z.array(DeviceSummarySchema),
    summary: "This user's signed-in devices.",
  }),
  renameDevice: route({
    method: "PATCH",
    path: "/v1/devices/:id",
    auth: "session",
    params: z.strictObject({ id: DeviceIdSchema }),
    body: RenameDeviceBodySchema,
    response: "empty",
    summary: "Renames one of my devices.",
  }),
  revokeDevice: route({
    method: "DELETE",
    path: "/v1/devices/:id",
    auth: "session",
    params: z.strictObject({ id: DeviceIdSchema }),
    response: "empty",
    summary: "Signs one of my devices out (its session ends, its socket closes).",
  }),
  createInvite: route({
    method: "POST",
    path: "/v1/invites",
    auth: "session",
    limit: "auth",
    body: CreateInviteBodySchema,
    response: CreateInviteResponseSchema,
    summary: "An invite link token for a new member (shown once).",
  }),
  inviteInfo: route({
    method: "GET",
    path: "/v1/invites/:token",
    auth: "public",
    limit: "auth",
    params: InviteTokenParamsSchema,
    response: InviteInfoResponseSchema,
    summary: "What an invite is for, before accepting it.",
  }),
  loginAvailable: route({
    method: "POST",
    path: "/v1/invites/login-available",
    auth: "public",
    limit: "auth",
    body: LoginAvailableBodySchema,
    response: LoginAvailableResponseSchema,
    summary: "Whether a sign-in name is still free, asked with a live invite's token.",
  }),
  acceptInvite: route({
    method: "POST",
    path: "/v1/invites/accept",
    auth: "public",
    limit: "auth",
    body: AcceptInviteBodySchema,
    response: SessionResponseSchema,
    summary: "Creates the account; a patient also gets their 1:1 conversation.",
  }),
  conversations: route({
    method: "GET",
    path: "/v1/conversations",
    auth: "session",
    response: z.array(ConversationSummarySchema),
    summary: "My conversations with their members, last seq and unread count.",
  }),
  createGroup: route({
    method: "POST",
    path: "/v1/conversations",
    auth: "session",
    body: CreateConversationBodySchema,
    response: ConversationSummarySchema,
    summary: "A therapist opens a group with some of their patients.",
  }),
  history: route({
    method: "GET",
    path: "/v1/conversations/:id/messages",
    auth: "session",
    params: ConversationParams,
    query: HistoryQuerySchema,
    response: HistoryResponseSchema,
    summary: "Up to `limit` (max 500) log entries with seq > `after`; audited.",
  }),
  groupState: route({
    method: "GET",
    path: "/v1/conversations/:id/group",
    auth: "session",
    params: ConversationParams,
    response: GroupStateResponseSchema,
    summary: "The conversation's MLS epoch and latest group info.",
  }),
  setIdentityKey: route({
    method: "PUT",
    path: "/v1/keys/identity",
    auth: "session",
    body: IdentityKeyBodySchema,
    response: "empty",
    summary: "Pins this user's identity public key (set once).",
  }),
  userKeys: route({
    method: "GET",
    path: "/v1/users/:id/keys",
    auth: "session",
    params: z.strictObject({ id: UserIdSchema }),
    response: UserKeysResponseSchema,
    summary: "A contact's pinned identity key, live devices and archive key record.",
  }),
  uploadKeyPackages: route({
    method: "POST",
    path: "/v1/keys/packages",
    auth: "session",
    body: KeyPackagesBodySchema,
    response: KeyPackageCountResponseSchema,
    summary: "Uploads this device's one-time MLS key packages (and a last resort).",
  }),
  keyPackageCount: route({
    method: "GET",
    path: "/v1/keys/packages/count",
    auth: "session",
    response: KeyPackageCountResponseSchema,
    summary: "How many of this device's one-time key packages are left.",
  }),
  claimKeyPackages: route({
    method: "POST",
    path: "/v1/keys/claim",
    auth: "session",
    body: ClaimKeyPackagesBodySchema,
    response: ClaimKeyPackagesResponseSchema,
    summary: "One key package for every live device of each user (contacts only).",
  }),
  setArchiveKey: route({
    method: "PUT",
    path: "/v1/keys/archive",
    auth: "session",
    body: ArchiveKeyBodySchema,
    response: "empty",
    summary: "Publishes this user's signed archive key record (replaces the old one).",
  }),
  openTransfer: route({
    method: "POST",
    path: "/v1/transfers",
    auth: "session",
    limit: "auth",
    response: TransferResponseSchema,
    summary: "Opens a device-transfer mailbox for this user.",
  }),
  putTransfer: route({
    method: "PUT",
    path: "/v1/transfers/:id",
    auth: "session",
    limit: "auth",
    params: z.strictObject({ id: TransferIdSchema }),
    body: TransferBodySchema,
    response: "empty",
    summary: "Drops the sealed transfer message into the mailbox, once.",
  }),
  readTransfer: route({
    method: "GET",
    path: "/v1/transfers/:id",
    auth: "session",
    params: z.strictObject({ id: TransferIdSchema }),
    response: TransferResponseSchema,
    summary: "Reads the mailbox (`body` is null until the other device put it).",
  }),
  closeTransfer: route({
    method: "DELETE",
    path: "/v1/transfers/:id",
    auth: "session",
    params: z.strictObject({ id: TransferIdSchema }),
    response: "empty",
    summary: "Closes one of my mailboxes.",
  }),
  uploadBlob: route({
    method: "POST",
    path: "/v1/conversations/:id/blobs",
    auth: "session",
    limit: "blob_upload",
    params: ConversationParams,
    body: "binary",
    response: BlobUploadResponseSchema,
    summary: "Uploads an encrypted attachment (streamed; at most the server's blob limit).",
  }),
  downloadBlob: route({
    method: "GET",
    path: "/v1/blobs/:id",
    auth: "session",
    params: z.strictObject({ id: BlobIdSchema }),
    response: "binary",
    summary: "Downloads an encrypted attachment (members of its conversation only; audited).",
  }),
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
  notificationSettings: route({
    method: "GET",
    path: "/v1/me/notifications",
    auth: "session",
    response: NotificationSettingsSchema,
    summary: "My email fallback (address, delay, digest) and quiet hours.",
  }),
  updateNotificationSettings: route({
    method: "PUT",
    path: "/v1/me/notifications",
    auth: "session",
    body: NotificationSettingsSchema,
    response: NotificationSettingsSchema,
    summary: "Sets or removes my notification email, its delay, the digest (staff only) and quiet hours.",
  }),
  unsubscribe: route({
    method: "POST",
    path: "/v1/unsubscribe/:token",
    auth: "public",
    limit: "auth",
    params: UnsubscribeParamsSchema,
    response: "empty",
    summary: "One-click unsubscribe (RFC 8058) from notification emails; the token is the email's.",
  }),
  adminJobs: route({
    method: "GET",
    path: "/v1/admin/jobs",
    auth: "admin",
    response: JobStatsResponseSchema,
    summary: "The durable job queue: pending, due and running counts, failures, next due time.",
  }),
  turnCredentials: route({
    method: "GET",
    path: "/v1/calls/turn",
    auth: "session",
    response: TurnCredentialsResponseSchema,
    summary:
      "Short-lived TURN credentials (coturn REST scheme), the ICE servers, and the relay-only setting.",
  }),
  callSettings: route({
    method: "GET",
    path: "/v1/calls/settings",
    auth: "session",
    response: CallSettingsSchema,
    summary: "The user's call preferences (relay only: on by default for patients).",
  }),
  updateCallSettings: route({
    method: "PUT",
    path: "/v1/calls/settings",
    auth: "session",
    body: CallSettingsSchema,
    response: CallSettingsSchema,
    summary: "Changes the user's call preferences.",
  }),
  pushKey: route({
    method: "GET",
    path: "/v1/push/key",
    auth: "session",
    response: PushKeyResponseSchema,
    summary: "The server's VAPID public key, to subscribe to Web Push with.",
  }),
  pushStatus: route({
    method: "GET",
    path: "/v1/push/subscription",
    auth: "session",
    response: PushStatusResponseSchema,
    summary: "Whether this device holds a push subscription on the server.",
  }),
  pushSubscribe: route({
    method: "PUT",
    path: "/v1/push/subscription",
    auth: "session",
    body: PushSubscribeBodySchema,
    response: PushStatusResponseSchema,
    summary: "Sets this device's push subscription (replaces its earlier one).",
  }),
  pushUnsubscribe: route({
    method: "DELETE",
    path: "/v1/push/subscription",
    auth: "session",
    response: "empty",
    summary: "Removes this device's push subscription.",
  }),
  pushRef: route({
    method: "GET",
    path: "/v1/push/refs/:ref",
    auth: "session",
    params: PushRefParamsSchema,
    response: PushRefResponseSchema,
    summary: "The conversation a push sent to this device refers to.",
  }),
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
