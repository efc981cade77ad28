import { JobStatsResponseSchema, NotificationSettingsSchema, UnsubscribeParamsSchema } from "./notify.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

/**
 * Notification emails (settings, one-click unsubscribe) and the durable job queue that sends them:
 * part of {@link ROUTES}.
 */
export const NOTIFY_ROUTES = {
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
} as const satisfies Record<string, RouteSpec>;
