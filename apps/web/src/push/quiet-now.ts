import { minutesOfDay, type QuietHoursSettings, wallTime } from "@hearth/protocol";

/** Is `instant` within these quiet hours (local wall-clock time in their zone; across midnight too)? */
export function inQuietHours(quiet: QuietHoursSettings, instant: number): boolean {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  if (start === end) return false;
  const w = wallTime(instant, quiet.timeZone);
  const now = w.hour * 60 + w.minute;
  return start < end ? now >= start && now < end : now >= start || now < end;
}
