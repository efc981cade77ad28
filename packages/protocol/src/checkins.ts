import { z } from "zod";
import { CheckinScheduleSchema } from "./checkin-schedule.ts";
import { ConversationIdSchema, UserIdSchema } from "./ids.ts";

/**
 * A check-in plan's id (`pln_` and 16–43 base64url characters), made by the server. The plan's
 * instrument (mood, PHQ-9, GAD-7, custom scale) is not here: it travels end-to-end encrypted in the
 * conversation as a `checkin-plan` message that names this id, so the server knows only when to
 * remind whom, never what is asked.
 */
export const CheckinPlanIdSchema = z
  .string()
  .regex(/^pln_[A-Za-z0-9_-]{16,43}$/, "expected a pln_ id")
  .brand<"CheckinPlanId">();
export type CheckinPlanId = z.output<typeof CheckinPlanIdSchema>;

/** A therapist assigns a check-in plan to a patient who is a member of the conversation. */
export const CreateCheckinPlanBodySchema = z.strictObject({
  patientId: UserIdSchema,
  schedule: CheckinScheduleSchema,
});
export type CreateCheckinPlanBody = z.output<typeof CreateCheckinPlanBodySchema>;

/** A check-in plan as the server keeps it: who, where, when; nothing about the questions. */
export const CheckinPlanSchema = z.strictObject({
  id: CheckinPlanIdSchema,
  conversationId: ConversationIdSchema,
  patientId: UserIdSchema,
  createdBy: UserIdSchema,
  schedule: CheckinScheduleSchema,
  createdAt: z.iso.datetime(),
  /** When the next reminder is due (ISO-8601). */
  nextAt: z.iso.datetime(),
});
export type CheckinPlan = z.output<typeof CheckinPlanSchema>;

/** Check-in plans, oldest first. */
export const CheckinPlansResponseSchema = z.strictObject({ plans: z.array(CheckinPlanSchema) });
export type CheckinPlansResponse = z.output<typeof CheckinPlansResponseSchema>;

/** Path parameters naming one plan. */
export const CheckinPlanParamsSchema = z.strictObject({ planId: CheckinPlanIdSchema });
