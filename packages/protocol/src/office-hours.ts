import { z } from "zod";
import { ConversationIdSchema, UserIdSchema } from "./ids.ts";
import { LocalTimeSchema, TimeZoneSchema } from "./notify.ts";

/** A local calendar date, `YYYY-MM-DD`. */
export const LocalDateSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "YYYY-MM-DD")
  // Runs after a failed regex too (zod reports every issue): an invalid date must not throw here.
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().startsWith(d);
  }, "a real date");

/** One weekly opening: ISO weekday (1 Monday … 7 Sunday), local `start` before `end` (same day). */
export const WeeklyHoursSchema = z
  .strictObject({
    day: z.number().int().min(1).max(7),
    start: LocalTimeSchema,
    end: LocalTimeSchema,
  })
  .refine((s) => s.start < s.end, { message: "start before end", path: ["end"] });
export type WeeklyHours = z.output<typeof WeeklyHoursSchema>;

/** Away (holidays, leave): closed from `from` to `to`, both local dates, inclusive. */
export const AwayDatesSchema = z
  .strictObject({ from: LocalDateSchema, to: LocalDateSchema })
  .refine((a) => a.from <= a.to, { message: "from on or before to", path: ["to"] });
export type AwayDates = z.output<typeof AwayDatesSchema>;

/** The longest away text, in characters. */
export const AWAY_TEXT_MAX = 500;

/**
 * A therapist's office hours (`PUT /v1/me/office-hours`): the therapist's own settings, not patient
 * content, so the server stores them as they are (docs/security.md). Outside them, with `autoReply`
 * on, a patient's message gets an automatic reply once per closed period.
 */
export const OfficeHoursSchema = z.strictObject({
  timeZone: TimeZoneSchema,
  /** Weekly openings; none: no office hours (no header line, no automatic reply). */
  weekly: z.array(WeeklyHoursSchema).max(28),
  away: z.array(AwayDatesSchema).max(50),
  /** A short note of the therapist's own, shown with the automatic reply; null for none. */
  awayText: z.string().trim().max(AWAY_TEXT_MAX).nullable(),
  /** "I usually reply within … hours" (1 to 168). */
  typicalReplyHours: z.number().int().min(1).max(168),
  /** Send the automatic reply outside these hours. */
  autoReply: z.boolean(),
});
export type OfficeHours = z.output<typeof OfficeHoursSchema>;

/** `GET /v1/me/office-hours`: my office hours, or null when never set. */
export const MyOfficeHoursResponseSchema = z.strictObject({ hours: OfficeHoursSchema.nullable() });
export type MyOfficeHoursResponse = z.output<typeof MyOfficeHoursResponseSchema>;

/** `GET /v1/conversations/:id/office-hours`: the office hours of the conversation's therapists. */
export const ConversationOfficeHoursResponseSchema = z.strictObject({
  therapists: z.array(z.strictObject({ userId: UserIdSchema, hours: OfficeHoursSchema })).max(16),
});
export type ConversationOfficeHoursResponse = z.output<typeof ConversationOfficeHoursResponseSchema>;

/** An automatic reply's id (`arp_` and 22 base64url characters). */
export const AutoReplyIdSchema = z.string().regex(/^arp_[A-Za-z0-9_-]{22}$/);

/**
 * A record that a therapist's automatic reply is due in a conversation: no text of anyone, only the
 * therapist's settings as they were then. The patient's device renders it (with its own crisis
 * lines) as an automatic entry after the message at `afterSeq`; it is never a message of the log.
 */
export const AutoReplySchema = z.strictObject({
  id: AutoReplyIdSchema,
  conversationId: ConversationIdSchema,
  /** Whose office hours it speaks for. */
  therapistId: UserIdSchema,
  /** The patient message (seq) that fell outside the hours. */
  afterSeq: z.number().int().min(1),
  /** When it was made (ISO). */
  at: z.string(),
  /** When the therapist is next available (ISO), or null when no opening is ahead. */
  nextOpenAt: z.string().nullable(),
  typicalReplyHours: z.number().int().min(1).max(168),
  awayText: z.string().max(AWAY_TEXT_MAX).nullable(),
});
export type AutoReply = z.output<typeof AutoReplySchema>;

/** `GET /v1/conversations/:id/auto-replies`: the conversation's automatic replies, oldest first. */
export const AutoRepliesResponseSchema = z.strictObject({ autoReplies: z.array(AutoReplySchema) });
export type AutoRepliesResponse = z.output<typeof AutoRepliesResponseSchema>;
