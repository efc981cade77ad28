/**
 * Wall-clock arithmetic in IANA time zones with `Intl` only (no library): what "09:00 in
 * Europe/Berlin on that day" is as an instant, across daylight-saving changes. Shared by the server
 * (quiet hours, office hours) and the SDK (the chat header's "open now"), so both compute the same.
 */

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

/** A local calendar date and time of day (minutes precision). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The local wall-clock date and time of `instant` (epoch ms) in `timeZone`. */
export function wallTime(instant: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(instant)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

/** The zone's offset from UTC at `instant`, in ms (wall time read as UTC minus the instant). */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const floored = Math.floor(instant / 60_000) * 60_000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - floored;
}

/**
 * The instant at which the wall clock in `timeZone` shows this local date and time. A time skipped by
 * a daylight-saving change (02:30 on a spring-forward night) maps to the instant as far after the
 * change as the time is after its start (03:30); a repeated time (autumn) maps to its first instance.
 */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  if (second === first) return first;
  const matches = (t: number) => {
    const w = wallTime(t, timeZone);
    return w.hour === hour && w.minute === minute;
  };
  const found = [first, second].filter(matches).sort((a, b) => a - b);
  return found[0] ?? Math.max(first, second);
}

/** `HH:MM` as minutes after midnight. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
