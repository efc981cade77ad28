import {
  type AppointmentId,
  type AppointmentSettings,
  DEFAULT_APPOINTMENT_SETTINGS,
  type UserId,
} from "@hearth/protocol";
import type { Logger } from "pino";
import type { Clock } from "../../clock.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { QuietHours } from "../schedule/quiet-hours.ts";
import type { JobDeferral, Scheduler } from "../schedule/schedule-service.ts";
import type { AppointmentRecord, AppointmentStore } from "./appointment-store.ts";
import { type SessionTimes, sessionStarts } from "./recurrence.ts";

/** The job kind of an appointment reminder. */
export const REMINDER_JOB = "appointment.reminder";
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A reminder job's payload: ids and times only. */
interface ReminderPayload {
  appointmentId: AppointmentId;
  userId: UserId;
  /** The appointment's revision when planned: a later change (reschedule, cancel) voids the job. */
  revision: number;
  minutesBefore: number;
  /** The session's start, epoch ms. */
  sessionAt: number;
}

/** What a reminder says: nothing but that it is one, and the session's start if the user opted in. */
export interface Reminder {
  userId: UserId;
  /** The session's start (epoch ms) and its zone, only when the user chose `showTime`. */
  at?: { instant: number; timeZone: string };
}

/** Where reminders go out: Web Push to the user's devices, email to their notification address. */
export interface ReminderChannels {
  push(r: Reminder): Promise<void>;
  email(r: Reminder): Promise<void>;
}

const timesOf = (a: AppointmentRecord): SessionTimes => ({
  localStart: a.localStart,
  timeZone: a.timeZone,
  durationMinutes: a.durationMinutes,
  recurrence: a.recurrence,
});

const keyOf = (p: ReminderPayload) =>
  `${REMINDER_JOB}:${p.appointmentId}:${p.revision}:${p.userId}:${p.minutesBefore}:${p.sessionAt}`;

/**
 * Appointment reminders on the durable jobs: for each member, each of their lead times and the next
 * session, one job at `session − lead`; when it runs it reminds (once: a row per reminder guards
 * against a job that runs twice), then plans the same lead for the following session of a series. A
 * job whose appointment was cancelled or moved since (its revision changed), whose lead the user no
 * longer wants, or whose user left the conversation does nothing. Quiet hours defer a reminder as
 * long as the session has not started; a reminder that would land after it is dropped.
 */
export class ReminderService {
  readonly #store: AppointmentStore;
  readonly #conversations: ConversationStore;
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #quietHours: QuietHours;
  readonly #channels: ReminderChannels;
  readonly #log: Logger | undefined;

  constructor(deps: {
    store: AppointmentStore;
    conversations: ConversationStore;
    scheduler: Scheduler;
    clock: Clock;
    quietHours: QuietHours;
    channels: ReminderChannels;
    log?: Logger;
  }) {
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#scheduler = deps.scheduler;
    this.#clock = deps.clock;
    this.#quietHours = deps.quietHours;
    this.#channels = deps.channels;
    this.#log = deps.log;
    this.#scheduler.registerHandler<ReminderPayload>(REMINDER_JOB, (p) => this.#due(p));
  }

  /** A user's settings (the defaults when never saved). */
  async settings(userId: UserId): Promise<AppointmentSettings> {
    const s = await this.#store.getSettings(userId);
    if (!s)
      return {
        ...DEFAULT_APPOINTMENT_SETTINGS,
        reminderMinutes: [...DEFAULT_APPOINTMENT_SETTINGS.reminderMinutes],
      };
    const { feedActive: _, ...settings } = s;
    return settings;
  }

  /** Plans the next reminders of an appointment for every member. */
  async plan(a: AppointmentRecord): Promise<void> {
    if (a.status !== "scheduled") return;
    for (const m of await this.#conversations.listMembers(a.conversationId)) await this.#planFor(a, m.userId);
  }

  /** Drops the pending reminders planned for an appointment as it was (best effort; stale jobs do nothing). */
  async unplan(a: AppointmentRecord): Promise<void> {
    for (const m of await this.#conversations.listMembers(a.conversationId)) {
      for (const p of await this.#next(a, m.userId)) await this.#scheduler.cancel(keyOf(p));
    }
  }

  /** Plans a user's reminders anew for all their appointments (after their lead times changed). */
  async planUser(userId: UserId): Promise<void> {
    for (const a of await this.#store.listForUser(userId, iso(this.#clock.now())))
      await this.#planFor(a, userId);
  }

  async #planFor(a: AppointmentRecord, userId: UserId) {
    for (const p of await this.#next(a, userId)) {
      await this.#scheduler.enqueue(REMINDER_JOB, p, p.sessionAt - p.minutesBefore * MINUTE, {
        dedupeKey: keyOf(p),
      });
    }
  }

  /** For each of the user's lead times, the reminder of the first session whose reminder is still ahead. */
  async #next(a: AppointmentRecord, userId: UserId, after = this.#clock.now()): Promise<ReminderPayload[]> {
    if (a.status !== "scheduled") return [];
    const { reminderMinutes } = await this.settings(userId);
    const out: ReminderPayload[] = [];
    for (const minutesBefore of reminderMinutes) {
      const [sessionAt] = sessionStarts(timesOf(a), after + minutesBefore * MINUTE + 1, 1);
      if (sessionAt === undefined) continue;
      out.push({ appointmentId: a.id, userId, revision: a.revision, minutesBefore, sessionAt });
    }
    return out;
  }

  async #due(p: ReminderPayload): Promise<JobDeferral | undefined> {
    const a = await this.#store.getAppointment(p.appointmentId);
    if (a?.status !== "scheduled" || a.revision !== p.revision) return undefined;
    if (!(await this.#conversations.isMember(a.conversationId, p.userId))) return undefined;
    const settings = await this.settings(p.userId);
    if (!settings.reminderMinutes.includes(p.minutesBefore)) return undefined;
    const now = this.#clock.now();
    if (now < p.sessionAt) {
      const allowed = await this.#quietHours.nextAllowed(p.userId, now);
      if (allowed > now && allowed < p.sessionAt) return { deferUntil: allowed };
      if (allowed <= now) await this.#send(a, p, settings, now);
    }
    // The same lead for the series' following session.
    const [following] = sessionStarts(timesOf(a), p.sessionAt + 1, 1);
    if (following !== undefined) {
      const next = { ...p, sessionAt: following };
      await this.#scheduler.enqueue(REMINDER_JOB, next, following - p.minutesBefore * MINUTE, {
        dedupeKey: keyOf(next),
      });
    }
    return undefined;
  }

  async #send(a: AppointmentRecord, p: ReminderPayload, s: AppointmentSettings, now: number) {
    const first = await this.#store.claimReminder(
      a.id,
      p.userId,
      iso(p.sessionAt),
      p.minutesBefore,
      iso(now),
    );
    if (!first) return;
    const reminder: Reminder = {
      userId: p.userId,
      ...(s.showTime ? { at: { instant: p.sessionAt, timeZone: a.timeZone } } : {}),
    };
    // Each channel on its own: a failing push service does not hold back the email.
    const sends: Promise<void>[] = [];
    if (s.push) sends.push(this.#channels.push(reminder));
    if (s.email) sends.push(this.#channels.email(reminder));
    for (const r of await Promise.allSettled(sends)) {
      if (r.status === "rejected")
        this.#log?.warn({ err: { type: (r.reason as Error)?.name } }, "reminder channel failed");
    }
  }
}
