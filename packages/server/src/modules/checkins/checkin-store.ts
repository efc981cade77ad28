import type { CheckinPlanId, ConversationId, UserId } from "@hearth/protocol";

/**
 * A check-in plan as the server keeps it: whom to remind, in which conversation, and when. Never the
 * instrument, its questions or any answer (those are end-to-end encrypted in the conversation).
 */
export interface CheckinPlanRecord {
  id: CheckinPlanId;
  conversationId: ConversationId;
  patientId: UserId;
  createdBy: UserId;
  /** IANA time zone of the schedule. */
  timeZone: string;
  /** Local `HH:MM`. */
  time: string;
  /** Weekdays 0–6, or undefined for every day. */
  days?: number[];
  createdAt: string;
}

/**
 * The check-ins module's port (tables `checkin_plans`, `checkin_reminders`). Implemented over SQL in
 * `storage/kysely/checkin-store.ts`; `test/stores/checkin-suite.ts` is its conformance suite.
 */
export interface CheckinStore {
  createPlan(plan: CheckinPlanRecord): Promise<void>;
  getPlan(id: CheckinPlanId): Promise<CheckinPlanRecord | undefined>;
  /** The conversation's plans, oldest first. */
  listPlansForConversation(conversationId: ConversationId): Promise<CheckinPlanRecord[]>;
  /** The plans assigned to this patient, oldest first. */
  listPlansForPatient(patientId: UserId): Promise<CheckinPlanRecord[]>;
  /** Deletes a plan (and its record of reminders sent); whether it existed. */
  deletePlan(id: CheckinPlanId): Promise<boolean>;
  /**
   * Records that the plan's reminder due at `dueAt` (ISO-8601) goes out now; `false` when it was
   * recorded before (a job that ran twice), so the caller sends nothing.
   */
  claimReminder(planId: CheckinPlanId, dueAt: string, at: string): Promise<boolean>;
}
