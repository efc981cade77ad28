import { z } from "zod";
import { ConversationIdSchema, UserIdSchema } from "./ids.ts";
import { TimeZoneSchema } from "./notify.ts";

/**
 * Appointments (issue 11): a therapist schedules a session in a conversation. The server keeps only
 * what it needs to remind and to fill a calendar feed: when (local start, time zone, duration,
 * recurrence), where (the conversation, whose members are the participants) and who scheduled it.
 * Any note about a session travels as an ordinary end-to-end-encrypted message, never here.
 */

/** An appointment (a session, or a recurring series of them): `apt_` and 22 base64url characters. */
export const AppointmentIdSchema = z
  .string()
  .regex(/^apt_[A-Za-z0-9_-]{16,43}$/, "expected an apt_ id")
  .brand<"AppointmentId">();
export type AppointmentId = z.output<typeof AppointmentIdSchema>;

/** A local wall-clock date and time, `YYYY-MM-DDTHH:MM`, read in the appointment's time zone. */
export const LocalDateTimeSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d$/, "YYYY-MM-DDTHH:MM")
  .refine((s) => {
    const [y, m, d] = s.slice(0, 10).split("-").map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCMonth() === m - 1 && y >= 2000 && y <= 2200;
  }, "a real date between 2000 and 2200");

/**
 * A recurrence rule (RFC 5545 `RRULE` value, without `RRULE:`): `FREQ` one of DAILY, WEEKLY or
 * MONTHLY, and optionally `INTERVAL`, `COUNT`, `UNTIL` (a UTC date-time, `…Z`), `BYDAY`, `WKST`.
 * Nothing else (no `DTSTART`, no `TZID`: the start and zone are their own fields). The server expands
 * it on the local calendar of the appointment's zone, so a weekly 20:00 stays at 20:00 local across
 * daylight-saving changes. The schema checks the shape; the server checks the rule with `rrule` and
 * answers `bad_request` at `recurrence` when it does not parse.
 */
export const RecurrenceSchema = z
  .string()
  .max(160)
  .regex(
    /^FREQ=(DAILY|WEEKLY|MONTHLY)(;(INTERVAL=[1-9]\d{0,1}|COUNT=[1-9]\d{0,2}|UNTIL=\d{8}T\d{6}Z|BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU)){0,6}|WKST=(MO|TU|WE|TH|FR|SA|SU)))*$/,
    "an RRULE: FREQ=DAILY|WEEKLY|MONTHLY and INTERVAL, COUNT, UNTIL, BYDAY, WKST",
  );

/** Session lengths the server accepts, in minutes. */
export const APPOINTMENT_DURATION_MINUTES = { min: 5, max: 480, default: 50 } as const;

/** `POST /v1/conversations/:id/appointments` and `PUT /v1/appointments/:id`: when the session is. */
export const AppointmentBodySchema = z.strictObject({
  /** The first session's local start in `timeZone`. */
  start: LocalDateTimeSchema,
  timeZone: TimeZoneSchema,
  durationMinutes: z
    .number()
    .int()
    .min(APPOINTMENT_DURATION_MINUTES.min)
    .max(APPOINTMENT_DURATION_MINUTES.max),
  /** null or absent: one session. */
  recurrence: RecurrenceSchema.nullable().default(null),
});
export type AppointmentBody = z.output<typeof AppointmentBodySchema>;
export type AppointmentBodyInput = z.input<typeof AppointmentBodySchema>;

/** What an appointment is now: scheduled, or cancelled (kept so the other side learns of it). */
export const AppointmentStatusSchema = z.enum(["scheduled", "cancelled"]);

/**
 * An appointment as both sides see it. The same type is what the SDK hands the app and what a FHIR
 * exporter maps to an R4 `Appointment` (start, end, status, participants).
 */
export const AppointmentSchema = z.strictObject({
  id: AppointmentIdSchema,
  conversationId: ConversationIdSchema,
  /** The therapist who scheduled it. */
  organizerId: UserIdSchema,
  /** The conversation's members when it was read: everyone the session is with. */
  participantIds: z.array(UserIdSchema),
  start: LocalDateTimeSchema,
  timeZone: TimeZoneSchema,
  durationMinutes: z.number().int(),
  recurrence: RecurrenceSchema.nullable(),
  status: AppointmentStatusSchema,
  /** The next session's start (ISO-8601 UTC) at or after now; null when none is left. */
  nextStartAt: z.string().nullable(),
  /** Up to the next 8 sessions' starts (ISO-8601 UTC), in order. */
  upcoming: z.array(z.string()).max(8),
  /** Who last asked to reschedule, and when; null when nobody asked since the last change. */
  rescheduleRequest: z.strictObject({ by: UserIdSchema, at: z.string() }).nullable(),
  /** Bumped on every change (the iCalendar `SEQUENCE`). */
  revision: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Appointment = z.output<typeof AppointmentSchema>;

/** Path parameters naming one appointment. */
export const AppointmentParamsSchema = z.strictObject({ id: AppointmentIdSchema });

/** The most sessions `GET /v1/conversations/:id/appointments/past` lists (the latest ones). */
export const MAX_PAST_SESSIONS = 500;

/** One session that has begun (its appointment may since be over or cancelled): times only. */
export const PastSessionSchema = z.strictObject({
  appointmentId: AppointmentIdSchema,
  /** Its start and end, ISO-8601 UTC. */
  start: z.string(),
  end: z.string(),
});
export type PastSession = z.output<typeof PastSessionSchema>;

/**
 * `GET /v1/conversations/:id/appointments/past`: the conversation's sessions that have begun, oldest
 * first, at most {@link MAX_PAST_SESSIONS} (the latest). A cancelled appointment's sessions count up
 * to its cancellation; a moved one's as it is now (the server keeps no earlier times).
 */
export const PastSessionListSchema = z.strictObject({
  sessions: z.array(PastSessionSchema).max(MAX_PAST_SESSIONS),
});
export type PastSessionList = z.output<typeof PastSessionListSchema>;

/** A list of appointments (a conversation's, or my upcoming ones), soonest first. */
export const AppointmentListSchema = z.strictObject({ appointments: z.array(AppointmentSchema) });
export type AppointmentList = z.output<typeof AppointmentListSchema>;

/** Reminder lead times the server accepts, in minutes before a session (5 minutes to 7 days). */
export const REMINDER_MINUTES = { min: 5, max: 7 * 24 * 60, defaults: [24 * 60, 60] } as const;

/**
 * `GET`/`PUT /v1/me/appointment-settings`: my reminders and my calendar feed's privacy. Reminders are
 * content-free ("Reminder from Hearth"); `showTime` adds the session's time to them. `feedNames`
 * lets my calendar feed name the people a session is with.
 */
export const AppointmentSettingsSchema = z.strictObject({
  /** Minutes before each session to remind me; empty: no reminders. At most 4, no repeats. */
  reminderMinutes: z
    .array(z.number().int().min(REMINDER_MINUTES.min).max(REMINDER_MINUTES.max))
    .max(4)
    .refine((a) => new Set(a).size === a.length, "no repeats"),
  /** Remind by Web Push (on devices subscribed to push). */
  push: z.boolean(),
  /** Remind by email (to my notification email, when set). */
  email: z.boolean(),
  /** Reminders say the session's local time; off: only "Reminder from Hearth". */
  showTime: z.boolean(),
  /** The calendar feed names the other participants; off: "Hearth session". */
  feedNames: z.boolean(),
});
export type AppointmentSettings = z.output<typeof AppointmentSettingsSchema>;

/** The default settings: 24 h and 1 h before, by push and email, no time, no names. */
export const DEFAULT_APPOINTMENT_SETTINGS: AppointmentSettings = Object.freeze({
  reminderMinutes: [...REMINDER_MINUTES.defaults],
  push: true,
  email: true,
  showTime: false,
  feedNames: false,
}) as AppointmentSettings;

/** The secret of a calendar-feed URL: 43 base64url characters (256 bits). */
export const CalendarTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** `GET /v1/calendar/:token`: the token with the `.ics` suffix calendar apps like. */
export const CalendarFeedParamsSchema = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}\.ics$/),
});

/** A new calendar-feed URL: shown once (the server keeps only a hash of its secret). */
export const CalendarFeedResponseSchema = z.strictObject({ url: z.string() });
export type CalendarFeedResponse = z.output<typeof CalendarFeedResponseSchema>;

/** Whether I have a calendar feed. */
export const CalendarFeedStatusSchema = z.strictObject({ active: z.boolean() });
export type CalendarFeedStatus = z.output<typeof CalendarFeedStatusSchema>;

/** What changed in an `appointment` server frame. */
export const AppointmentChangeSchema = z.enum([
  "scheduled",
  "rescheduled",
  "reschedule_requested",
  "cancelled",
]);
export type AppointmentChange = z.output<typeof AppointmentChangeSchema>;
