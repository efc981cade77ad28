import { type CheckinSchedule, CheckinScheduleSchema } from "@hearth/protocol";
import {
  type CustomScale,
  INSTRUMENT_KINDS,
  type InstrumentKind,
  instrumentOf,
  MAX_NOTE_LENGTH,
  parseCustomScale,
} from "./instruments.ts";
import { validAnswers } from "./scoring.ts";

const PLAN_ID = /^pln_[A-Za-z0-9_-]{16,43}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * A `checkin-plan` message: the therapist's device tells the patient's what a plan (made on the
 * server, which knows only its schedule) asks. Inside the encrypted payload only.
 */
export interface CheckinPlanContent {
  planId: string;
  instrument: InstrumentKind;
  /** The scale of a `custom` plan. */
  custom?: CustomScale;
  schedule: CheckinSchedule;
}

/**
 * A `checkin` message: one answered check-in. Inside the encrypted payload only: the server stores
 * an ordinary entry and never learns the instrument, the values or the note. The receiving device
 * scores it itself (`scoreAnswers`), never trusting a sender's total.
 */
export interface CheckinAnswer {
  /** The plan it answers; absent for a check-in the patient started on their own. */
  planId?: string;
  instrument: InstrumentKind;
  /** The scale of a `custom` check-in (answers are self-describing, even after the plan ends). */
  custom?: CustomScale;
  /** One value per item, in the instrument's order. */
  answers: number[];
  /** The mood scale's optional note, up to {@link MAX_NOTE_LENGTH} characters. */
  note?: string;
  /** When the patient answered (ISO-8601, UTC). */
  answeredAt: string;
  /** The scheduled time it answers (ISO-8601), when it answers a reminder. */
  dueAt?: string;
}

const isKind = (v: unknown): v is InstrumentKind =>
  typeof v === "string" && (INSTRUMENT_KINDS as readonly string[]).includes(v);

/** A {@link CheckinPlanContent} from untrusted input (a decrypted payload), or undefined. */
export function parseCheckinPlanContent(v: unknown): CheckinPlanContent | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.planId !== "string" || !PLAN_ID.test(o.planId) || !isKind(o.instrument)) return undefined;
  const schedule = CheckinScheduleSchema.safeParse(o.schedule);
  if (!schedule.success) return undefined;
  const out: CheckinPlanContent = { planId: o.planId, instrument: o.instrument, schedule: schedule.data };
  if (o.instrument === "custom") {
    const custom = parseCustomScale(o.custom);
    if (!custom) return undefined;
    out.custom = custom;
  } else if (o.custom !== undefined) return undefined;
  return out;
}

/** A {@link CheckinAnswer} from untrusted input (a decrypted payload, a form), or undefined. */
export function parseCheckinAnswer(v: unknown): CheckinAnswer | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!isKind(o.instrument) || !Array.isArray(o.answers)) return undefined;
  if (typeof o.answeredAt !== "string" || !ISO.test(o.answeredAt) || Number.isNaN(Date.parse(o.answeredAt)))
    return undefined;
  let custom: CustomScale | undefined;
  if (o.instrument === "custom") {
    custom = parseCustomScale(o.custom);
    if (!custom) return undefined;
  } else if (o.custom !== undefined) return undefined;
  if (!validAnswers(instrumentOf(o.instrument, custom), o.answers)) return undefined;
  const out: CheckinAnswer = { instrument: o.instrument, answers: [...o.answers], answeredAt: o.answeredAt };
  if (custom) out.custom = custom;
  if (o.planId !== undefined) {
    if (typeof o.planId !== "string" || !PLAN_ID.test(o.planId)) return undefined;
    out.planId = o.planId;
  }
  if (o.note !== undefined) {
    // Only the mood scale carries a note.
    if (o.instrument !== "mood" || typeof o.note !== "string" || o.note.length > MAX_NOTE_LENGTH)
      return undefined;
    out.note = o.note;
  }
  if (o.dueAt !== undefined) {
    if (typeof o.dueAt !== "string" || !ISO.test(o.dueAt) || Number.isNaN(Date.parse(o.dueAt)))
      return undefined;
    out.dueAt = o.dueAt;
  }
  return out;
}
