import { type CheckinPlan, checkinOccurrences } from "@hearth/protocol";
import type { MessageContent } from "../payload-codec.ts";
import type { CheckinAnswer, CheckinPlanContent } from "./checkin-content.ts";
import { type Instrument, type InstrumentKind, instrumentOf } from "./instruments.ts";
import { type CheckinScore, scoreAnswers } from "./scoring.ts";

/** A decrypted conversation entry, as much as the trends read of it (a `ConversationMessage` fits). */
export interface CheckinEntry {
  messageId: string;
  senderId: string | undefined;
  sentAt: string;
  content: MessageContent | undefined;
}

/** One answered check-in, scored on this device. */
export interface ScoredCheckin {
  messageId: string;
  patientId: string;
  answer: CheckinAnswer;
  instrument: Instrument;
  score: CheckinScore;
  /** When it was answered (epoch ms). */
  at: number;
}

/** A plan as both sides know it: the server's schedule and the encrypted plan message's instrument. */
export interface KnownPlan {
  plan: CheckinPlan;
  /** Undefined until the plan message is on this device. */
  content: CheckinPlanContent | undefined;
}

/** One instrument's series for one patient: scores over time, bands, and missed check-ins. */
export interface CheckinTrend {
  patientId: string;
  kind: InstrumentKind;
  instrument: Instrument;
  points: ScoredCheckin[];
  /** Scheduled times (epoch ms) whose check-in window passed without an answer, oldest first. */
  missed: number[];
}

/** The scored check-ins among `entries`, oldest first (unreadable or malformed ones are skipped). */
export function scoredCheckins(entries: readonly CheckinEntry[]): ScoredCheckin[] {
  const out: ScoredCheckin[] = [];
  for (const e of entries) {
    const a = e.content?.kind === "checkin" ? e.content.checkin : undefined;
    if (!a || !e.senderId) continue;
    const instrument = instrumentOf(a.instrument, a.custom);
    out.push({
      messageId: e.messageId,
      patientId: e.senderId,
      answer: a,
      instrument,
      score: scoreAnswers(instrument, a.answers),
      at: Date.parse(a.answeredAt),
    });
  }
  return out.sort((x, y) => x.at - y.at);
}

/** The plan messages among `entries`, by plan id (a later message for the same plan wins). */
export function planContents(entries: readonly CheckinEntry[]): Map<string, CheckinPlanContent> {
  const out = new Map<string, CheckinPlanContent>();
  for (const e of entries) {
    if (e.content?.kind === "checkin-plan" && e.content.checkinPlan) {
      out.set(e.content.checkinPlan.planId, e.content.checkinPlan);
    }
  }
  return out;
}

/**
 * The scheduled times of `plan` between its creation and `now` that have no answer: a time counts as
 * answered when an answer names it (`dueAt`), or was given from it until the next scheduled time.
 * The latest time is never missed yet (its window is still open).
 */
export function missedCheckins(plan: CheckinPlan, answers: readonly ScoredCheckin[], now: number): number[] {
  const times = checkinOccurrences(plan.schedule, Date.parse(plan.createdAt), now);
  const mine = answers.filter((a) => a.answer.planId === plan.id);
  const missed: number[] = [];
  for (let i = 0; i < times.length - 1; i++) {
    const from = times[i] as number;
    const until = times[i + 1] as number;
    const answered = mine.some(
      (a) =>
        (a.answer.dueAt !== undefined && Date.parse(a.answer.dueAt) === from) ||
        (a.at >= from && a.at < until),
    );
    if (!answered) missed.push(from);
  }
  return missed;
}

/**
 * One {@link CheckinTrend} per patient and instrument: every answered check-in of that kind (planned
 * or not) and the missed times of every plan of that kind.
 *
 * @example
 * const trends = checkinTrends(view.messages, plans, Date.now());
 */
export function checkinTrends(
  entries: readonly CheckinEntry[],
  plans: readonly CheckinPlan[],
  now: number,
): CheckinTrend[] {
  const scored = scoredCheckins(entries);
  const contents = planContents(entries);
  const trends = new Map<string, CheckinTrend>();
  const trendOf = (patientId: string, instrument: Instrument) => {
    // Custom scales with different titles are different series.
    const key = `${patientId}\u0000${instrument.kind}\u0000${instrument.kind === "custom" ? instrument.title : ""}`;
    let t = trends.get(key);
    if (!t) {
      t = { patientId, kind: instrument.kind, instrument, points: [], missed: [] };
      trends.set(key, t);
    }
    return t;
  };
  for (const s of scored) trendOf(s.patientId, s.instrument).points.push(s);
  for (const plan of plans) {
    const content = contents.get(plan.id);
    if (!content) continue;
    const t = trendOf(plan.patientId, instrumentOf(content.instrument, content.custom));
    t.missed.push(...missedCheckins(plan, scored, now));
    t.missed.sort((a, b) => a - b);
  }
  return [...trends.values()];
}
