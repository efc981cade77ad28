import type { OfficeHours } from "./office-hours.ts";
import { minutesOfDay, type WallTime, wallTime, zonedInstant } from "./zoned-time.ts";

/** Where office hours stand at an instant. */
export interface OfficeStatus {
  /** Within a weekly opening and not away. */
  open: boolean;
  /** Open: when this opening ends (epoch ms). */
  closesAt: number | null;
  /** Closed: the start of the next opening (epoch ms), or null when none is ahead (or no hours). */
  nextOpenAt: number | null;
}

/** How far ahead openings are looked for (a long leave still finds the first day back). */
const HORIZON_DAYS = 400;

const isoDate = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

/** The local date `offset` days after `w`'s, with its ISO weekday (1 Monday … 7 Sunday). */
function dayAfter(w: WallTime, offset: number) {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + offset));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return { y, m, d: day, iso: isoDate(y, m, day), weekday: ((d.getUTCDay() + 6) % 7) + 1 };
}

const isAway = (hours: OfficeHours, date: string) => hours.away.some((a) => a.from <= date && date <= a.to);

/**
 * Are the office hours open at `instant`, and when do they close or next open? Computed on the
 * therapist's local calendar, so a daylight-saving change moves the openings with the local clock
 * (09:00 stays 09:00). Away dates close whole local days.
 *
 * @example
 * const s = officeStatus(hours, Date.now());
 * if (!s.open && s.nextOpenAt !== null) show(`Back ${new Date(s.nextOpenAt).toLocaleString()}`);
 */
export function officeStatus(hours: OfficeHours, instant: number): OfficeStatus {
  const now = wallTime(instant, hours.timeZone);
  const today = dayAfter(now, 0);
  const minute = now.hour * 60 + now.minute;
  if (!isAway(hours, today.iso)) {
    for (const s of hours.weekly) {
      if (s.day !== today.weekday) continue;
      if (minutesOfDay(s.start) <= minute && minute < minutesOfDay(s.end)) {
        const [h, m] = s.end.split(":").map(Number);
        return {
          open: true,
          closesAt: zonedInstant(hours.timeZone, today.y, today.m, today.d, h ?? 0, m ?? 0),
          nextOpenAt: null,
        };
      }
    }
  }
  return { open: false, closesAt: null, nextOpenAt: nextOpening(hours, now, instant) };
}

function nextOpening(hours: OfficeHours, now: WallTime, instant: number): number | null {
  if (hours.weekly.length === 0) return null;
  for (let offset = 0; offset <= HORIZON_DAYS; offset++) {
    const day = dayAfter(now, offset);
    if (isAway(hours, day.iso)) continue;
    const starts = hours.weekly
      .filter((s) => s.day === day.weekday)
      .map((s) => s.start)
      .sort();
    for (const start of starts) {
      const [h, m] = start.split(":").map(Number);
      const at = zonedInstant(hours.timeZone, day.y, day.m, day.d, h ?? 0, m ?? 0);
      if (at > instant) return at;
    }
  }
  return null;
}
