/**
 * A session's start as a reminder shows it (only when the user opted in): weekday, date and 24-hour
 * time in the appointment's zone, and the zone, e.g. "Sunday 29 March 2026, 20:00 (Europe/Berlin)".
 */
export function formatSessionTime(instant: number, timeZone: string): string {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return `${f.format(instant)} (${timeZone})`;
}
