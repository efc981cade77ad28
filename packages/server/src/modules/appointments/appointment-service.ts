import { randomBytes } from "node:crypto";
import {
  type Appointment,
  type AppointmentBody,
  type AppointmentChange,
  type AppointmentId,
  type ConversationId,
  MAX_PAST_SESSIONS,
  type PastSession,
  type PastSessionList,
  type UserId,
} from "@hearth/protocol";
import type { Bus } from "../../bus/bus.ts";
import { conversationTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { Session } from "../auth/auth-service.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { AppointmentRecord, AppointmentStore } from "./appointment-store.ts";
import {
  checkSessionTimes,
  type SessionTimes,
  seriesBounds,
  sessionStarts,
  sessionStartsBetween,
} from "./recurrence.ts";
import type { ReminderService } from "./reminder-service.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const MINUTE = 60_000;
/** How many sessions of one series a read of the past looks at (a series holds at most 1,000). */
const MAX_SESSIONS_READ = 1000;

const timesOf = (a: Pick<AppointmentRecord, "localStart" | "timeZone" | "durationMinutes" | "recurrence">) =>
  ({
    localStart: a.localStart,
    timeZone: a.timeZone,
    durationMinutes: a.durationMinutes,
    recurrence: a.recurrence,
  }) satisfies SessionTimes;

/**
 * Appointments: a therapist who is a member of a conversation schedules a session (or a series)
 * there; every member sees it, may ask for another time, and may cancel; each change reaches the
 * members as an `appointment` frame. The server keeps the times and the conversation, nothing else
 * (a note is an encrypted message). Reminders are the {@link ReminderService}'s.
 */
export class AppointmentService {
  readonly #store: AppointmentStore;
  readonly #conversations: ConversationStore;
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #reminders: ReminderService;

  constructor(deps: {
    store: AppointmentStore;
    conversations: ConversationStore;
    bus: Bus;
    clock: Clock;
    reminders: ReminderService;
  }) {
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#reminders = deps.reminders;
  }

  /** The conversation's appointments that are not over (cancelled ones too), soonest first. */
  async listForConversation(session: Session, conversationId: ConversationId): Promise<Appointment[]> {
    await this.#member(conversationId, session.user.id);
    const now = this.#clock.now();
    const rows = await this.#store.listForConversation(conversationId, iso(now));
    return this.#wire(rows, now);
  }

  /**
   * The conversation's sessions that have begun, oldest first, the latest {@link MAX_PAST_SESSIONS}:
   * for the clinical record (the FHIR export on the therapist's device). A cancelled appointment's
   * sessions count until its cancellation. Times only, like every appointment read.
   */
  async pastSessions(session: Session, conversationId: ConversationId): Promise<PastSessionList> {
    await this.#member(conversationId, session.user.id);
    const now = this.#clock.now();
    // Every appointment, over or not: any end is at or after "".
    const rows = await this.#store.listForConversation(conversationId, "");
    const out: (PastSession & { at: number })[] = [];
    for (const a of rows) {
      const until = a.status === "cancelled" ? Math.min(now, Date.parse(a.updatedAt)) : now;
      const from = Date.parse(a.firstStartAt);
      if (!(from < until)) continue;
      for (const at of sessionStartsBetween(timesOf(a), from, until, MAX_SESSIONS_READ)) {
        out.push({
          appointmentId: a.id,
          start: iso(at),
          end: iso(at + a.durationMinutes * MINUTE),
          at,
        });
      }
    }
    out.sort((x, y) => x.at - y.at || x.appointmentId.localeCompare(y.appointmentId));
    return { sessions: out.slice(-MAX_PAST_SESSIONS).map(({ at: _, ...s }) => s) };
  }

  /** My appointments that are not over, in every conversation, soonest first. */
  async upcoming(session: Session): Promise<Appointment[]> {
    const now = this.#clock.now();
    return this.#wire(await this.#store.listForUser(session.user.id, iso(now)), now);
  }

  /** Schedules a session in a conversation (a therapist who is a member). */
  async create(
    session: Session,
    conversationId: ConversationId,
    body: AppointmentBody,
  ): Promise<Appointment> {
    await this.#member(conversationId, session.user.id);
    if (session.user.role !== "therapist") throw new HttpRefusal("forbidden");
    const now = this.#clock.now();
    const times = this.#checked(body, now);
    const bounds = seriesBounds(times);
    const record: AppointmentRecord = {
      id: `apt_${randomBytes(16).toString("base64url")}` as AppointmentId,
      conversationId,
      organizerId: session.user.id,
      ...times,
      status: "scheduled",
      firstStartAt: iso(bounds.firstStart),
      lastEndAt: bounds.lastEnd === null ? null : iso(bounds.lastEnd),
      rescheduleBy: null,
      rescheduleAt: null,
      revision: 0,
      createdAt: iso(now),
      updatedAt: iso(now),
    };
    await this.#store.createAppointment(record);
    await this.#reminders.plan(record);
    this.#announce(record, "scheduled", session.user.id);
    return (await this.#wire([record], now))[0] as Appointment;
  }

  /** Moves an appointment to other times (a therapist who is a member); the old reminders lapse. */
  async reschedule(session: Session, id: AppointmentId, body: AppointmentBody): Promise<Appointment> {
    const a = await this.#visible(session, id);
    if (session.user.role !== "therapist" || a.status !== "scheduled") throw new HttpRefusal("forbidden");
    const now = this.#clock.now();
    const times = this.#checked(body, now);
    const bounds = seriesBounds(times);
    const next: AppointmentRecord = {
      ...a,
      ...times,
      firstStartAt: iso(bounds.firstStart),
      lastEndAt: bounds.lastEnd === null ? null : iso(bounds.lastEnd),
      rescheduleBy: null,
      rescheduleAt: null,
      revision: a.revision + 1,
      updatedAt: iso(now),
    };
    if (!(await this.#store.updateAppointment(next, a.revision))) return this.reschedule(session, id, body);
    await this.#reminders.unplan(a);
    await this.#reminders.plan(next);
    this.#announce(next, "rescheduled", session.user.id);
    return (await this.#wire([next], now))[0] as Appointment;
  }

  /** Asks for another time (any member); the therapist then reschedules. */
  async requestReschedule(session: Session, id: AppointmentId): Promise<Appointment> {
    const a = await this.#visible(session, id);
    if (a.status !== "scheduled") throw new HttpRefusal("forbidden");
    const now = this.#clock.now();
    // The revision stays: the times (and so the reminders) did not change.
    const next: AppointmentRecord = {
      ...a,
      rescheduleBy: session.user.id,
      rescheduleAt: iso(now),
      updatedAt: iso(now),
    };
    await this.#store.updateAppointment(next, a.revision);
    this.#announce(next, "reschedule_requested", session.user.id);
    return (await this.#wire([next], now))[0] as Appointment;
  }

  /** Cancels (any member); pending reminders never fire. Cancelling twice is no error. */
  async cancel(session: Session, id: AppointmentId): Promise<void> {
    const a = await this.#visible(session, id);
    if (a.status === "cancelled") return;
    const now = this.#clock.now();
    const next: AppointmentRecord = {
      ...a,
      status: "cancelled",
      revision: a.revision + 1,
      updatedAt: iso(now),
    };
    if (!(await this.#store.updateAppointment(next, a.revision))) return this.cancel(session, id);
    await this.#reminders.unplan(a);
    this.#announce(next, "cancelled", session.user.id);
  }

  /** The body's times, checked: a rule rrule accepts, and at least one session still to come. */
  #checked(body: AppointmentBody, now: number): SessionTimes {
    const times: SessionTimes = {
      localStart: body.start,
      timeZone: body.timeZone,
      durationMinutes: body.durationMinutes,
      recurrence: body.recurrence,
    };
    try {
      checkSessionTimes(times);
    } catch {
      throw new HttpRefusal("bad_request", "recurrence");
    }
    if (sessionStarts(times, now, 1).length === 0) throw new HttpRefusal("bad_request", "start");
    return times;
  }

  async #member(conversationId: ConversationId, userId: UserId) {
    // not_found, not forbidden: an outsider learns nothing about the conversation.
    if (!(await this.#conversations.isMember(conversationId, userId))) throw new HttpRefusal("not_found");
  }

  async #visible(session: Session, id: AppointmentId): Promise<AppointmentRecord> {
    const a = await this.#store.getAppointment(id);
    if (!a || !(await this.#conversations.isMember(a.conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
    return a;
  }

  #announce(a: AppointmentRecord, change: AppointmentChange, by: UserId) {
    this.#bus.publish(conversationTopic(a.conversationId), {
      type: "appointment",
      conversationId: a.conversationId,
      appointmentId: a.id,
      change,
      by,
    });
  }

  async #wire(rows: AppointmentRecord[], now: number): Promise<Appointment[]> {
    const members = new Map<ConversationId, UserId[]>();
    const out: Appointment[] = [];
    for (const a of rows) {
      let ids = members.get(a.conversationId);
      if (!ids) {
        ids = (await this.#conversations.listMembers(a.conversationId)).map((m) => m.userId);
        members.set(a.conversationId, ids);
      }
      // A session in progress still counts as upcoming.
      const starts = sessionStarts(timesOf(a), now - a.durationMinutes * MINUTE + 1, 8);
      out.push(toAppointment(a, ids, starts));
    }
    return out.sort((x, y) => (x.nextStartAt ?? "9").localeCompare(y.nextStartAt ?? "9"));
  }
}

/** The wire form of a stored appointment. */
export function toAppointment(a: AppointmentRecord, participantIds: UserId[], starts: number[]): Appointment {
  return {
    id: a.id,
    conversationId: a.conversationId,
    organizerId: a.organizerId,
    participantIds,
    start: a.localStart,
    timeZone: a.timeZone,
    durationMinutes: a.durationMinutes,
    recurrence: a.recurrence,
    status: a.status,
    nextStartAt: a.status === "scheduled" && starts[0] !== undefined ? iso(starts[0]) : null,
    upcoming: a.status === "scheduled" ? starts.map(iso) : [],
    rescheduleRequest: a.rescheduleBy && a.rescheduleAt ? { by: a.rescheduleBy, at: a.rescheduleAt } : null,
    revision: a.revision,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export { timesOf };
