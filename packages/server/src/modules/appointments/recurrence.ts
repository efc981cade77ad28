import rrulePackage from "rrule";
import { zonedInstant } from "../schedule/quiet-hours.ts";

// rrule ships CommonJS for Node (its ESM build is for bundlers): take the classes off the default.
const { RRule } = rrulePackage;

/** When a session (or series) is: local start in a zone, length, and an optional RRULE. */
export interface SessionTimes {
  /** `YYYY-MM-DDTHH:MM`, local in `timeZone`. */
  localStart: string;
  timeZone: string;
  durationMinutes: number;
  recurrence: string | null;
}

const MINUTE = 60_000;
/** More than any zone's distance from UTC (UTC+14, UTC−12): a safe margin between wall and UTC. */
const ZONE_MARGIN = 15 * 60 * MINUTE;
/** The most sessions a series may have when it ends (COUNT or UNTIL) — bounds every expansion. */
const MAX_SESSIONS = 1000;

/** A local wall time as a "floating" Date: its UTC fields are the wall clock's (rrule's convention). */
function floating(localStart: string): Date {
  const [date, time] = localStart.split("T") as [string, string];
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi] = time.split(":").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, d, h, mi));
}

/** The instant at which a floating wall time happens in `timeZone` (DST gaps and folds as zonedInstant). */
function instantOf(f: Date, timeZone: string): number {
  return zonedInstant(
    timeZone,
    f.getUTCFullYear(),
    f.getUTCMonth() + 1,
    f.getUTCDate(),
    f.getUTCHours(),
    f.getUTCMinutes(),
  );
}

/**
 * The rule of a series, expanded on the local (floating) calendar: rrule sees wall-clock times, so a
 * weekly 20:00 is 20:00 every week whatever the zone's offset; each wall time is then placed in the
 * zone. `UNTIL` is compared with local wall times. Throws (a `RangeError`) when the rule is not one
 * rrule accepts or it has no session at all.
 */
function ruleOf(t: SessionTimes) {
  if (!t.recurrence) return undefined;
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(t.recurrence);
  } catch {
    throw new RangeError("recurrence");
  }
  const rule = new RRule({ ...options, dtstart: floating(t.localStart), tzid: null });
  if (!rule.after(floating(t.localStart), true)) throw new RangeError("recurrence");
  return rule;
}

/** Checks a schedule: a rule rrule accepts with at least one session. Throws a RangeError otherwise. */
export function checkSessionTimes(t: SessionTimes): void {
  ruleOf(t);
}

/** The first session's start and the last session's end (null: a series without end), epoch ms. */
export function seriesBounds(t: SessionTimes): { firstStart: number; lastEnd: number | null } {
  const rule = ruleOf(t);
  const length = t.durationMinutes * MINUTE;
  if (!rule) {
    const at = instantOf(floating(t.localStart), t.timeZone);
    return { firstStart: at, lastEnd: at + length };
  }
  const first = rule.after(floating(t.localStart), true) as Date;
  const firstStart = instantOf(first, t.timeZone);
  if (!rule.options.count && !rule.options.until) return { firstStart, lastEnd: null };
  const all = rule.all((_d, i) => i < MAX_SESSIONS);
  const last = all[all.length - 1] ?? first;
  return { firstStart, lastEnd: instantOf(last, t.timeZone) + length };
}

/**
 * The starts (epoch ms, ascending) of up to `limit` sessions that start at or after `from`.
 *
 * @example
 * sessionStarts({ localStart: "2026-03-01T20:00", timeZone: "Europe/Berlin", durationMinutes: 50,
 *   recurrence: "FREQ=WEEKLY" }, Date.now(), 3);
 */
export function sessionStarts(t: SessionTimes, from: number, limit: number): number[] {
  const rule = ruleOf(t);
  if (!rule) {
    const at = instantOf(floating(t.localStart), t.timeZone);
    return at >= from && limit > 0 ? [at] : [];
  }
  const out: number[] = [];
  // Floating times run ahead of or behind UTC by the zone's offset: start a margin early.
  let f = rule.after(new Date(from - ZONE_MARGIN), true);
  for (let guard = 0; f && out.length < limit && guard < MAX_SESSIONS + 100; guard++) {
    const at = instantOf(f, t.timeZone);
    if (at >= from) out.push(at);
    f = rule.after(f, false);
  }
  return out;
}

/** Every session start (epoch ms) in [from, to), at most `limit`. */
export function sessionStartsBetween(t: SessionTimes, from: number, to: number, limit: number): number[] {
  return sessionStarts(t, from, limit).filter((at) => at < to);
}
