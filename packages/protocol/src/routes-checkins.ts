import { z } from "zod";
import {
  CheckinPlanParamsSchema,
  CheckinPlanSchema,
  CheckinPlansResponseSchema,
  CreateCheckinPlanBodySchema,
} from "./checkins.ts";
import { ConversationIdSchema } from "./ids.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;
const ConversationParams = z.strictObject({ id: ConversationIdSchema });

/**
 * Wellness check-in plans (issue 11), part of {@link ROUTES}: when the server reminds a patient to
 * check in. The questions and every answer travel end-to-end encrypted in the conversation.
 */
export const CHECKIN_ROUTES = {
  createCheckinPlan: route({
    method: "POST",
    path: "/v1/conversations/:id/checkin-plans",
    auth: "session",
    params: ConversationParams,
    body: CreateCheckinPlanBodySchema,
    response: CheckinPlanSchema,
    summary: "A therapist member assigns a check-in schedule to a patient member of the conversation.",
  }),
  listCheckinPlans: route({
    method: "GET",
    path: "/v1/conversations/:id/checkin-plans",
    auth: "session",
    params: ConversationParams,
    response: CheckinPlansResponseSchema,
    summary: "The conversation's check-in plans (a patient sees only their own).",
  }),
  myCheckinPlans: route({
    method: "GET",
    path: "/v1/me/checkin-plans",
    auth: "session",
    response: CheckinPlansResponseSchema,
    summary: "The check-in plans assigned to me, in every conversation.",
  }),
  deleteCheckinPlan: route({
    method: "DELETE",
    path: "/v1/checkin-plans/:planId",
    auth: "session",
    params: CheckinPlanParamsSchema,
    response: "empty",
    summary: "A therapist member of its conversation ends a plan; its reminders stop.",
  }),
} as const satisfies Record<string, RouteSpec>;
