import { DEFAULT_APPOINTMENT_SETTINGS, type UserId } from "@hearth/protocol";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../../clock.ts";
import { defineRoute } from "../../http/define-route.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import { hashSecret, newSecret } from "../../secrets.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { AppointmentService } from "./appointment-service.ts";
import type { AppointmentStore } from "./appointment-store.ts";
import { calendarFeed } from "./calendar-feed.ts";
import type { ReminderService } from "./reminder-service.ts";

/** What the appointments plugin needs. */
export interface AppointmentsPluginDeps {
  appointments: AppointmentService;
  reminders: ReminderService;
  store: AppointmentStore;
  conversations: ConversationStore;
  clock: Clock;
  /** The server's public base URL (the calendar feed's address). */
  publicUrl: string;
}

/**
 * The appointments module's routes: appointments per conversation and mine, reschedule requests and
 * cancelling, my reminder settings, and my calendar feed (a secret, revocable URL; only its hash is
 * stored, so a new one is shown once and the old one answers 404).
 */
export async function appointmentsPlugin(app: FastifyInstance, d: AppointmentsPluginDeps) {
  const base = d.publicUrl.replace(/\/+$/, "");
  const iso = () => new Date(d.clock.now()).toISOString();

  defineRoute(app, "conversationAppointments", async ({ session, params }) => ({
    appointments: await d.appointments.listForConversation(session, params.id),
  }));
  defineRoute(app, "createAppointment", async ({ session, params, body }) =>
    d.appointments.create(session, params.id, body),
  );
  defineRoute(app, "pastAppointmentSessions", async ({ session, params }) =>
    d.appointments.pastSessions(session, params.id),
  );
  defineRoute(app, "upcomingAppointments", async ({ session }) => ({
    appointments: await d.appointments.upcoming(session),
  }));
  defineRoute(app, "rescheduleAppointment", async ({ session, params, body }) =>
    d.appointments.reschedule(session, params.id, body),
  );
  defineRoute(app, "requestReschedule", async ({ session, params }) =>
    d.appointments.requestReschedule(session, params.id),
  );
  defineRoute(app, "cancelAppointment", async ({ session, params }) => {
    await d.appointments.cancel(session, params.id);
  });
  defineRoute(app, "appointmentSettings", async ({ session }) => d.reminders.settings(session.user.id));
  defineRoute(app, "updateAppointmentSettings", async ({ session, body }) => {
    await d.store.putSettings(session.user.id, body, iso());
    await d.reminders.planUser(session.user.id);
    return d.reminders.settings(session.user.id);
  });
  defineRoute(app, "calendarFeedStatus", async ({ session }) => ({
    active: (await d.store.getSettings(session.user.id))?.feedActive ?? false,
  }));
  defineRoute(app, "rotateCalendarFeed", async ({ session }) => {
    const token = newSecret();
    const current = await d.reminders.settings(session.user.id);
    await d.store.setFeedToken(session.user.id, hashSecret(token), current, iso());
    return { url: `${base}/v1/calendar/${token}.ics` };
  });
  defineRoute(app, "revokeCalendarFeed", async ({ session }) => {
    await d.store.setFeedToken(session.user.id, null, DEFAULT_APPOINTMENT_SETTINGS, iso());
  });
  defineRoute(app, "calendarFeed", async ({ params, reply }) => {
    const userId = await d.store.feedUser(hashSecret(params.token.slice(0, -".ics".length)));
    if (!userId) throw new HttpRefusal("not_found");
    const body = calendarFeed(await feedItems(d, userId), d.clock.now(), new URL(base).hostname);
    return reply
      .code(200)
      .header("content-type", "text/calendar; charset=utf-8")
      .header("cache-control", "no-store")
      .header("referrer-policy", "no-referrer")
      .send(body);
  });
}

async function feedItems(d: AppointmentsPluginDeps, userId: UserId) {
  const settings = await d.reminders.settings(userId);
  // Sessions of the last 30 days stay in the feed (the feed's own window trims further).
  const since = new Date(d.clock.now() - 30 * 24 * 3_600_000).toISOString();
  const rows = await d.store.listForUser(userId, since);
  // The other members' names, read once per conversation (only when the user opted into names).
  const namesOf = new Map<string, string[]>();
  const items = [];
  for (const appointment of rows) {
    let names = settings.feedNames ? namesOf.get(appointment.conversationId) : [];
    if (names === undefined) {
      names = (await d.conversations.listMembers(appointment.conversationId))
        .filter((m) => m.userId !== userId)
        .map((m) => m.displayName);
      namesOf.set(appointment.conversationId, names);
    }
    items.push({ appointment, names });
  }
  return items;
}
