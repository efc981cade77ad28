import { minutesOfDay, type UserId, wallTime, zonedInstant } from "@hearth/protocol";

/** A daily quiet window in a user's own time zone: `start` to `end`, local wall-clock `HH:MM`. */
export interface QuietWindow {
  /** Local start, `HH:MM` (24 h). */
  start: string;
  /** Local end, `HH:MM`; earlier than `start` for a window across midnight (22:00–07:00). */
  end: string;
  /** An IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
}

/** Is `timeZone` an IANA zone this runtime knows? */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

// The wall-clock arithmetic is the protocol's, shared with office hours and the SDK.
export { wallTime, zonedInstant };

const minutesOf = minutesOfDay;

/**
 * The first instant at or after `instant` outside the quiet window: `instant` itself when it is not
 * quiet then, else the window's end in the user's zone (computed on the local calendar, so a
 * daylight-saving change during the night moves the end with the local clock). Equal start and end
 * mean no quiet hours.
 */
export function nextAllowedInstant(instant: number, window: QuietWindow): number {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return instant;
  const w = wallTime(instant, window.timeZone);
  const now = w.hour * 60 + w.minute;
  const quiet = start < end ? now >= start && now < end : now >= start || now < end;
  if (!quiet) return instant;
  // Across midnight and already past the start: the window ends tomorrow (local calendar).
  const dayShift = start > end && now >= start ? 1 : 0;
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + dayShift));
  return zonedInstant(
    window.timeZone,
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    Math.floor(end / 60),
    end % 60,
  );
}

/**
 * Each user's quiet hours: when a notification (email now, push later) may go out. Reads the window
 * through `lookup` (the notify module's settings), so callers need only a user id.
 *
 * @example
 * const at = await quietHours.nextAllowed(userId, clock.now());
 * if (at > clock.now()) return { deferUntil: at };
 */
export class QuietHours {
  readonly #lookup: (userId: UserId) => Promise<QuietWindow | undefined>;

  constructor(lookup: (userId: UserId) => Promise<QuietWindow | undefined>) {
    this.#lookup = lookup;
  }

  /** `instant` when the user has no quiet hours then, else when they end (epoch ms). */
  async nextAllowed(userId: UserId, instant: number): Promise<number> {
    const window = await this.#lookup(userId);
    return window ? nextAllowedInstant(instant, window) : instant;
  }
}
