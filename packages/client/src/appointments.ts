import type {
  Appointment,
  AppointmentBodyInput,
  AppointmentChange,
  AppointmentId,
  AppointmentSettings,
  ConversationId,
  PastSession,
  UserId,
} from "@hearth/protocol";
import type { Queued } from "./client-events.ts";
import type { HearthApi } from "./hearth-api.ts";
import type { MessageContent } from "./payload-codec.ts";

/** An `appointment` event: an appointment of a conversation changed; read the list again. */
export interface AppointmentEvent {
  conversationId: ConversationId;
  appointmentId: AppointmentId;
  change: AppointmentChange;
  /** The member who made the change. */
  by: UserId;
}

/**
 * Appointments, reminders and the calendar feed, over the protocol's routes. The server keeps only
 * times and the conversation; a note about a session goes through `send` as an ordinary end-to-end
 * encrypted message, so it never reaches the server in the clear. Changes by others arrive as the
 * client's `appointment` event.
 *
 * @example
 * const appointments = new Appointments({ api, send: (c, m) => client.send(c, m) });
 * await appointments.create(conversationId, { start: "2026-06-10T15:00", timeZone: "Europe/Berlin",
 *   durationMinutes: 50, recurrence: "FREQ=WEEKLY" }, { note: "Bring the sleep diary" });
 */
export class Appointments {
  readonly #api: HearthApi;
  readonly #send: ((conversationId: ConversationId, content: MessageContent) => Promise<Queued>) | undefined;

  constructor(deps: {
    api: HearthApi;
    /** How a note is sent (the client's `send`): encrypted like any message. */
    send?: (conversationId: ConversationId, content: MessageContent) => Promise<Queued>;
  }) {
    this.#api = deps.api;
    this.#send = deps.send;
  }

  /** The conversation's appointments that are not over (cancelled ones included), soonest first. */
  async list(conversationId: ConversationId | string): Promise<Appointment[]> {
    return (await this.#api.call("conversationAppointments", { params: { id: conversationId } }))
      .appointments;
  }

  /**
   * The conversation's sessions that have begun, oldest first (the latest 500): times only. A
   * cancelled series' sessions count until it was cancelled.
   */
  async past(conversationId: ConversationId | string): Promise<PastSession[]> {
    return (await this.#api.call("pastAppointmentSessions", { params: { id: conversationId } })).sessions;
  }

  /**
   * Every session of the conversation as the FHIR export takes them: those that have begun and
   * those still to come, oldest first.
   *
   * @example
   * const bundle = checkinsToFhirBundle({ ..., appointments: await appointments.sessionsForExport(cid) });
   */
  async sessionsForExport(conversationId: ConversationId | string): Promise<ExportSession[]> {
    const [past, list] = await Promise.all([this.past(conversationId), this.list(conversationId)]);
    return exportSessions(past, list);
  }

  /** My appointments that are not over, in every conversation, soonest first (the "Upcoming" view). */
  async upcoming(): Promise<Appointment[]> {
    return (await this.#api.call("upcomingAppointments")).appointments;
  }

  /**
   * Schedules a session (therapists). With a `note`, the note then goes to the conversation as an
   * encrypted message (needs `send`); the server never sees it.
   */
  async create(
    conversationId: ConversationId,
    body: AppointmentBodyInput,
    options: { note?: string } = {},
  ): Promise<Appointment> {
    const appointment = await this.#api.call("createAppointment", { params: { id: conversationId }, body });
    const note = options.note?.trim();
    if (note) {
      if (!this.#send) throw new Error("Appointments: a note needs `send`");
      await this.#send(conversationId, { text: note });
    }
    return appointment;
  }

  /** Moves an appointment to other times (therapists). */
  reschedule(id: AppointmentId | string, body: AppointmentBodyInput): Promise<Appointment> {
    return this.#api.call("rescheduleAppointment", { params: { id }, body });
  }

  /** Asks the other side for another time (anyone in the conversation). */
  requestReschedule(id: AppointmentId | string): Promise<Appointment> {
    return this.#api.call("requestReschedule", { params: { id } });
  }

  /** Cancels an appointment (anyone in the conversation); the others are told. */
  cancel(id: AppointmentId | string): Promise<void> {
    return this.#api.call("cancelAppointment", { params: { id } });
  }

  /** My reminder lead times and channels, and my feed's privacy. */
  settings(): Promise<AppointmentSettings> {
    return this.#api.call("appointmentSettings");
  }

  /** Saves my reminder settings. */
  updateSettings(settings: AppointmentSettings): Promise<AppointmentSettings> {
    return this.#api.call("updateAppointmentSettings", { body: settings });
  }

  /** Whether I have a calendar feed. */
  async feedActive(): Promise<boolean> {
    return (await this.#api.call("calendarFeedStatus")).active;
  }

  /** A new secret calendar-feed URL (shown once); the previous one stops working. */
  async rotateFeed(): Promise<string> {
    return (await this.#api.call("rotateCalendarFeed")).url;
  }

  /** Turns the calendar feed off. */
  revokeFeed(): Promise<void> {
    return this.#api.call("revokeCalendarFeed");
  }
}

/** A session as the FHIR export takes it (`FhirAppointmentInput` of `checkins/fhir-export.ts`). */
export interface ExportSession {
  /** The appointment's id and the session's start: one id per session of a series. */
  id: string;
  start: string;
  end: string;
  /** Booked: Hearth knows a session was planned, never whether it took place. */
  status: "booked";
}

/**
 * The sessions of appointments as the FHIR export takes them: one per upcoming session, `booked`,
 * with its end from the length. A cancelled appointment has no sessions left to list.
 *
 * @example
 * const sessions = appointmentSessions(await appointments.list(conversationId));
 */
export function appointmentSessions(list: readonly Appointment[]): ExportSession[] {
  return list.flatMap((a) =>
    a.status === "scheduled"
      ? a.upcoming.map((start) => ({
          id: `${a.id}-${start}`,
          start,
          end: new Date(Date.parse(start) + a.durationMinutes * 60_000).toISOString(),
          status: "booked" as const,
        }))
      : [],
  );
}

/**
 * Past and upcoming sessions together, oldest first, each once (a session in progress is in both
 * lists). Past ones are `booked` too: the record says it was planned, not that it happened.
 */
export function exportSessions(past: readonly PastSession[], list: readonly Appointment[]): ExportSession[] {
  const byId = new Map<string, ExportSession>();
  for (const p of past) {
    const id = `${p.appointmentId}-${new Date(p.start).toISOString()}`;
    byId.set(id, { id, start: p.start, end: p.end, status: "booked" });
  }
  for (const s of appointmentSessions(list)) if (!byId.has(s.id)) byId.set(s.id, s);
  return [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
