import type { OfficeHours } from "@hearth/protocol";

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "Monday 30 March, 09:00" in the reader's own time zone (and locale's 24-hour style). */
export function whenLocal(at: number | string): string {
  return new Date(at).toLocaleString("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** "within 24 hours", "within 2 days". */
export function replyWithin(hours: number): string {
  if (hours % 24 === 0 && hours >= 48) return `within ${hours / 24} days`;
  return hours === 1 ? "within an hour" : `within ${hours} hours`;
}

/** The weekly hours, one line per day that has any, in the therapist's own zone. */
export function weeklyLines(hours: OfficeHours): { day: string; times: string }[] {
  const lines: { day: string; times: string }[] = [];
  for (let d = 1; d <= 7; d++) {
    const slots = hours.weekly
      .filter((s) => s.day === d)
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((s) => `${s.start}–${s.end}`);
    if (slots.length > 0) lines.push({ day: DAYS[d - 1] ?? "", times: slots.join(", ") });
  }
  return lines;
}

/** "Europe/Berlin" as "Berlin time". */
export function zoneLabel(timeZone: string): string {
  const city = timeZone.split("/").at(-1)?.replace(/_/g, " ");
  return city && city !== timeZone ? `${city} time` : timeZone;
}
