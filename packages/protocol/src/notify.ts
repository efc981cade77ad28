import { z } from "zod";

/** Local wall-clock time `HH:MM` (24 h). */
export const LocalTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 00:00 to 23:59");

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone this runtime knows (`Europe/Berlin`, `America/New_York`, `UTC`). */
export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/, "an IANA time zone")
  .refine(isTimeZone, "an IANA time zone");

/** Quiet hours: no email (or push) between `start` and `end`, local time in `timeZone`. */
export const QuietHoursSchema = z.strictObject({
  start: LocalTimeSchema,
  end: LocalTimeSchema,
  timeZone: TimeZoneSchema,
});
export type QuietHoursSettings = z.output<typeof QuietHoursSchema>;

/** An email address for content-free notifications (a plain `local@domain`, no display name). */
export const NotifyEmailSchema = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/, "an email address");

/** Shortest and longest email delay, in minutes. */
export const EMAIL_DELAY_MINUTES = { min: 5, max: 24 * 60, default: 30 } as const;

/**
 * `GET`/`PUT /v1/me/notifications`: where the content-free email fallback goes, after how long a
 * message must stay unread on all my devices, whether I get a daily digest instead (therapists and
 * admins only), and my quiet hours.
 */
export const NotificationSettingsSchema = z.strictObject({
  /** null: no email. */
  email: NotifyEmailSchema.nullable(),
  emailDelayMinutes: z.number().int().min(EMAIL_DELAY_MINUTES.min).max(EMAIL_DELAY_MINUTES.max),
  /** One email a day (at the end of quiet hours, or 08:00 local) instead of one per unread batch. */
  emailDigest: z.boolean(),
  /** null: none. */
  quietHours: QuietHoursSchema.nullable(),
});
export type NotificationSettings = z.output<typeof NotificationSettingsSchema>;

/** The one-click unsubscribe token of an email's `List-Unsubscribe` link. */
export const UnsubscribeTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
export const UnsubscribeParamsSchema = z.strictObject({ token: UnsubscribeTokenSchema });

/** `GET /v1/admin/jobs`: the durable job queue as an admin sees it (ids and kinds, never payloads). */
export const JobStatsResponseSchema = z.strictObject({
  pending: z.record(z.string(), z.number().int().min(0)),
  due: z.number().int().min(0),
  running: z.number().int().min(0),
  failed: z.record(z.string(), z.number().int().min(0)),
  failures: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.string(),
      attempts: z.number().int().min(0),
      lastError: z.string().nullable(),
      at: z.string(),
    }),
  ),
  nextDueAt: z.string().nullable(),
});
export type JobStatsResponse = z.output<typeof JobStatsResponseSchema>;
