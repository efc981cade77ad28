import { z } from "zod";
import {
  AppointmentBodySchema,
  AppointmentListSchema,
  AppointmentParamsSchema,
  AppointmentSchema,
  AppointmentSettingsSchema,
  CalendarFeedParamsSchema,
  CalendarFeedResponseSchema,
  CalendarFeedStatusSchema,
  PastSessionListSchema,
} from "./appointments.ts";
import { ConversationIdSchema } from "./ids.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

const ConversationParams = z.strictObject({ id: ConversationIdSchema });

/**
 * The appointment routes of {@link ROUTES} (issue 11): appointments per conversation and mine,
 * moving, asking to move and cancelling, my reminder settings, and my calendar feed.
 */
export const APPOINTMENT_ROUTES = {
  conversationAppointments: route({
    method: "GET",
    path: "/v1/conversations/:id/appointments",
    auth: "session",
    params: ConversationParams,
    response: AppointmentListSchema,
    summary: "The conversation's appointments that are not over, cancelled ones included, soonest first.",
  }),
  createAppointment: route({
    method: "POST",
    path: "/v1/conversations/:id/appointments",
    auth: "session",
    params: ConversationParams,
    body: AppointmentBodySchema,
    response: AppointmentSchema,
    summary: "Schedules a session (or a series) in the conversation; therapists who are members only.",
  }),
  pastAppointmentSessions: route({
    method: "GET",
    path: "/v1/conversations/:id/appointments/past",
    auth: "session",
    params: ConversationParams,
    response: PastSessionListSchema,
    summary:
      "The conversation's sessions that have begun (cancelled ones up to their cancellation), oldest first; times only.",
  }),
  upcomingAppointments: route({
    method: "GET",
    path: "/v1/appointments",
    auth: "session",
    response: AppointmentListSchema,
    summary: "My appointments that are not over, in every conversation, soonest first.",
  }),
  rescheduleAppointment: route({
    method: "PUT",
    path: "/v1/appointments/:id",
    auth: "session",
    params: AppointmentParamsSchema,
    body: AppointmentBodySchema,
    response: AppointmentSchema,
    summary: "Moves an appointment (a therapist who is a member); members get an `appointment` frame.",
  }),
  requestReschedule: route({
    method: "POST",
    path: "/v1/appointments/:id/reschedule-request",
    auth: "session",
    params: AppointmentParamsSchema,
    response: AppointmentSchema,
    summary: "Asks for another time (any member); members get an `appointment` frame.",
  }),
  cancelAppointment: route({
    method: "DELETE",
    path: "/v1/appointments/:id",
    auth: "session",
    params: AppointmentParamsSchema,
    response: "empty",
    summary: "Cancels an appointment (any member); its reminders never fire; members get a frame.",
  }),
  appointmentSettings: route({
    method: "GET",
    path: "/v1/me/appointment-settings",
    auth: "session",
    response: AppointmentSettingsSchema,
    summary: "My reminder lead times and channels, and my calendar feed's privacy.",
  }),
  updateAppointmentSettings: route({
    method: "PUT",
    path: "/v1/me/appointment-settings",
    auth: "session",
    body: AppointmentSettingsSchema,
    response: AppointmentSettingsSchema,
    summary: "Sets my reminder lead times and channels, and whether reminders and my feed say more.",
  }),
  calendarFeedStatus: route({
    method: "GET",
    path: "/v1/me/calendar-feed",
    auth: "session",
    response: CalendarFeedStatusSchema,
    summary: "Whether I have a calendar feed URL.",
  }),
  rotateCalendarFeed: route({
    method: "POST",
    path: "/v1/me/calendar-feed",
    auth: "session",
    response: CalendarFeedResponseSchema,
    summary: "Makes a new secret calendar-feed URL (shown once); the previous one stops working.",
  }),
  revokeCalendarFeed: route({
    method: "DELETE",
    path: "/v1/me/calendar-feed",
    auth: "session",
    response: "empty",
    summary: "Turns my calendar feed off; its URL answers 404 from now on.",
  }),
  calendarFeed: route({
    method: "GET",
    path: "/v1/calendar/:token",
    auth: "public",
    limit: "auth",
    params: CalendarFeedParamsSchema,
    response: "binary",
    summary: "My appointments as an iCalendar feed (`text/calendar`), at a secret URL; 404 when stale.",
  }),
} as const satisfies Record<string, RouteSpec>;
