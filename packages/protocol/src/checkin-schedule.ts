import { z } from "zod";

/**
 * When a check-in plan reminds: a local wall-clock time on some weekdays in the patient's IANA time
 * zone. "Every evening at 20:00" stays at 20:00 local across daylight-saving changes; a time skipped
 * by a spring-forward night (02:30) fires as far after the change as it is after its start (03:30),
 * a repeated autumn time fires once, at its first instance.
 */
export const CheckinScheduleSchema = z.strictObject({
  /** An IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .refine((tz) => isTimeZone(tz), "expected an IANA time zone"),
  /** Local time, `HH:MM` (24 h). */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM"),
  /** Weekdays it runs on, 0 = Sunday … 6 = Saturday, each once; absent or all seven: every day. */
  days: z
    .array(z.number().int().min(0).max(6))
    .min(1)
    .max(7)
    .refine((d) => new Set(d).size === d.length, "each weekday once")
    .optional(),
});
export type CheckinSchedule = z.output<typeof CheckinScheduleSchema>;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Is `timeZone` an IANA zone this runtime knows? */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wall(instant: number, timeZone: string) {
  const p: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  return { y: p.year ?? 1970, mo: p.month ?? 1, d: p.day ?? 1, h: p.hour ?? 0, mi: p.minute ?? 0 };
}

function offsetAt(instant: number, timeZone: string): number {
  const w = wall(instant, timeZone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(instant / 60_000) * 60_000;
}

/** The instant the wall clock in `timeZone` shows this local date and time (see the schedule's rules). */
function localInstant(timeZone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  if (second === first) return first;
  const found = [first, second]
    .filter((t) => {
      const w = wall(t, timeZone);
      return w.h === h && w.mi === mi;
    })
    .sort((a, b) => a - b);
  return found[0] ?? Math.max(first, second);
}

/** The schedule's instant on the local calendar day `days` after the local date of `instant`. */
function onLocalDay(s: CheckinSchedule, instant: number, dayShift: number) {
  const w = wall(instant, s.timeZone);
  const date = new Date(Date.UTC(w.y, w.mo - 1, w.d + dayShift));
  const [h, mi] = s.time.split(":").map(Number);
  return {
    at: localInstant(
      s.timeZone,
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      h ?? 0,
      mi ?? 0,
    ),
    weekday: date.getUTCDay(),
  };
}

/**
 * The first time the schedule falls due strictly after `after` (epoch ms).
 *
 * @example
 * nextCheckinAt({ timeZone: "America/New_York", time: "20:00" }, Date.parse("2026-03-08T12:00:00Z"));
 * // 2026-03-09T00:00:00Z — 20:00 EDT on the day clocks sprang forward
 */
export function nextCheckinAt(s: CheckinSchedule, after: number): number {
  // Start a day early: the local date of `after` may already be past today's time in another zone.
  for (let shift = -1; shift <= 8; shift++) {
    const o = onLocalDay(s, after, shift);
    if (o.at > after && (!s.days || s.days.includes(o.weekday))) return o.at;
  }
  throw new RangeError("the schedule has no day to run on");
}

/** Every time the schedule fell due in `(from, to]`, oldest first, at most `limit`. */
export function checkinOccurrences(s: CheckinSchedule, from: number, to: number, limit = 400): number[] {
  const out: number[] = [];
  let t = from;
  while (out.length < limit) {
    t = nextCheckinAt(s, t);
    if (t > to) break;
    out.push(t);
  }
  return out;
}

/** The latest time the schedule fell due at or before `at` (within the last eight days), if any. */
export function lastCheckinAt(s: CheckinSchedule, at: number): number | undefined {
  return checkinOccurrences(s, at - 8 * 24 * 3_600_000, at).at(-1);
}
