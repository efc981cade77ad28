import { z } from "zod";
import { ConversationIdSchema } from "./ids.ts";
import {
  AutoRepliesResponseSchema,
  ConversationOfficeHoursResponseSchema,
  MyOfficeHoursResponseSchema,
  OfficeHoursSchema,
} from "./office-hours.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

const ConversationParams = z.strictObject({ id: ConversationIdSchema });

/** Office hours and automatic replies (issue 10), part of {@link ROUTES}. */
export const OFFICE_HOURS_ROUTES = {
  myOfficeHours: route({
    method: "GET",
    path: "/v1/me/office-hours",
    auth: "session",
    response: MyOfficeHoursResponseSchema,
    summary: "My office hours (therapists), or null when never set.",
  }),
  updateOfficeHours: route({
    method: "PUT",
    path: "/v1/me/office-hours",
    auth: "session",
    body: OfficeHoursSchema,
    response: MyOfficeHoursResponseSchema,
    summary: "Sets my office hours, away dates, away text and typical reply time (therapists only).",
  }),
  conversationOfficeHours: route({
    method: "GET",
    path: "/v1/conversations/:id/office-hours",
    auth: "session",
    params: ConversationParams,
    response: ConversationOfficeHoursResponseSchema,
    summary: "The office hours of a conversation's therapists (members only).",
  }),
  autoReplies: route({
    method: "GET",
    path: "/v1/conversations/:id/auto-replies",
    auth: "session",
    params: ConversationParams,
    response: AutoRepliesResponseSchema,
    summary: "The automatic replies recorded in a conversation, oldest first (members only).",
  }),
} as const satisfies Record<string, RouteSpec>;
