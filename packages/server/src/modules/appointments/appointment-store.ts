import type { AppointmentId, AppointmentSettings, ConversationId, UserId } from "@hearth/protocol";

/** An appointment as stored: its schedule, status and bounds in UTC. Never a note or a name. */
export interface AppointmentRecord {
  id: AppointmentId;
  conversationId: ConversationId;
  organizerId: UserId;
  /** Local start `YYYY-MM-DDTHH:MM` in `timeZone`. */
  localStart: string;
  timeZone: string;
  durationMinutes: number;
  /** An RRULE value, or null for one session. */
  recurrence: string | null;
  status: "scheduled" | "cancelled";
  /** The first session's start (ISO-8601 UTC). */
  firstStartAt: string;
  /** The last session's end (ISO-8601 UTC); null for a series without end. */
  lastEndAt: string | null;
  rescheduleBy: UserId | null;
  rescheduleAt: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A user's appointment settings and whether they have a calendar feed. */
export interface StoredAppointmentSettings extends AppointmentSettings {
  feedActive: boolean;
}

/**
 * The appointments module's port: appointments, per-user reminder settings with the calendar feed's
 * secret (a hash), and the record of reminders sent. Implemented over SQL in
 * `storage/kysely/appointment-store.ts`.
 */
export interface AppointmentStore {
  createAppointment(a: AppointmentRecord): Promise<void>;
  getAppointment(id: AppointmentId): Promise<AppointmentRecord | undefined>;
  /** Replaces an appointment's mutable fields if its revision is still `expectedRevision`. */
  updateAppointment(a: AppointmentRecord, expectedRevision: number): Promise<boolean>;
  /** A conversation's appointments whose last session ends at or after `endAfter` (or never). */
  listForConversation(conversationId: ConversationId, endAfter: string): Promise<AppointmentRecord[]>;
  /** The appointments, in every conversation the user is a member of, that end at or after `endAfter`. */
  listForUser(userId: UserId, endAfter: string): Promise<AppointmentRecord[]>;
  getSettings(userId: UserId): Promise<StoredAppointmentSettings | undefined>;
  /** Creates or replaces a user's settings (the feed's secret is kept). */
  putSettings(userId: UserId, s: AppointmentSettings, at: string): Promise<void>;
  /** Sets (a hash) or removes (null) the user's calendar-feed secret, creating default settings if needed. */
  setFeedToken(
    userId: UserId,
    tokenHash: string | null,
    defaults: AppointmentSettings,
    at: string,
  ): Promise<void>;
  /** The user whose calendar-feed secret hashes to this, if any. */
  feedUser(tokenHash: string): Promise<UserId | undefined>;
  /**
   * Records that a reminder goes out; false when it was recorded already (it went out before), so a
   * job run twice reminds once.
   */
  claimReminder(
    appointmentId: AppointmentId,
    userId: UserId,
    occurrenceAt: string,
    minutesBefore: number,
    at: string,
  ): Promise<boolean>;
  /** How many reminders were recorded for an appointment (tests and the admin). */
  countReminders(appointmentId: AppointmentId): Promise<number>;
}
