import type { AppointmentRecord } from "./appointment-store.ts";
import { type SessionTimes, sessionStarts } from "./recurrence.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How far back and ahead the feed lists sessions, and the most per appointment. */
const WINDOW = { pastMs: 30 * DAY, aheadMs: 366 * DAY, perAppointment: 120 } as const;

/** `20260329T180000Z` (RFC 5545 §3.3.5, UTC form). */
const utc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** TEXT escaping (RFC 5545 §3.3.11). */
const text = (s: string) =>
  s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let current = "";
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = "";
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  out.push(current);
  return out.join("\r\n ");
}

/** One appointment of the feed, with the names it may show (empty: "Hearth session"). */
export interface FeedItem {
  appointment: AppointmentRecord;
  /** The other participants' display names, only when the user opted in. */
  names: string[];
}

/**
 * The iCalendar (RFC 5545) text of a user's feed. Each session is its own `VEVENT` in UTC (the
 * server already placed it in the appointment's zone, daylight-saving changes included), so the feed
 * needs no `VTIMEZONE`; a cancelled appointment's sessions stay, `STATUS:CANCELLED`, so calendars
 * drop them. Nothing but times, an opaque UID and, if the user chose so, names.
 *
 * @example
 * reply.type("text/calendar; charset=utf-8").send(calendarFeed(items, Date.now(), "hearth.example"));
 */
export function calendarFeed(items: FeedItem[], now: number, host: string): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Hearth//Appointments//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:Hearth",
  ];
  for (const { appointment: a, names } of items) {
    const times: SessionTimes = {
      localStart: a.localStart,
      timeZone: a.timeZone,
      durationMinutes: a.durationMinutes,
      recurrence: a.recurrence,
    };
    const starts = sessionStarts(times, now - WINDOW.pastMs, WINDOW.perAppointment).filter(
      (at) => at < now + WINDOW.aheadMs,
    );
    const summary = names.length > 0 ? `Hearth session with ${names.join(", ")}` : "Hearth session";
    for (const at of starts) {
      lines.push(
        "BEGIN:VEVENT",
        `UID:${a.id}-${utc(at)}@${host}`,
        `DTSTAMP:${utc(Date.parse(a.updatedAt))}`,
        `DTSTART:${utc(at)}`,
        `DTEND:${utc(at + a.durationMinutes * MINUTE)}`,
        `SEQUENCE:${a.revision}`,
        `STATUS:${a.status === "cancelled" ? "CANCELLED" : "CONFIRMED"}`,
        `SUMMARY:${text(summary)}`,
        "TRANSP:OPAQUE",
        "END:VEVENT",
      );
    }
  }
  lines.push("END:VCALENDAR");
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
