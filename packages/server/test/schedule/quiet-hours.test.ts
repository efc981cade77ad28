import { describe, expect, it } from "vitest";
import { nextAllowedInstant, zonedInstant } from "../../src/modules/schedule/quiet-hours.ts";

const utc = (s: string) => Date.parse(s);
const night = (timeZone: string) => ({ start: "22:00", end: "07:00", timeZone });

describe("quiet hours (Intl, the user's own zone)", () => {
  it("lets an instant outside the window through unchanged, and ends the window at its end", () => {
    const berlin = night("Europe/Berlin");
    // 12:00 in Berlin in January (UTC+1).
    expect(nextAllowedInstant(utc("2026-01-15T11:00:00Z"), berlin)).toBe(utc("2026-01-15T11:00:00Z"));
    // 21:59 local is not quiet yet; 22:00 is; 07:00 is not any more.
    expect(nextAllowedInstant(utc("2026-01-15T20:59:00Z"), berlin)).toBe(utc("2026-01-15T20:59:00Z"));
    expect(nextAllowedInstant(utc("2026-01-15T21:00:00Z"), berlin)).toBe(utc("2026-01-16T06:00:00Z"));
    expect(nextAllowedInstant(utc("2026-01-16T03:00:00Z"), berlin)).toBe(utc("2026-01-16T06:00:00Z"));
    expect(nextAllowedInstant(utc("2026-01-16T06:00:00Z"), berlin)).toBe(utc("2026-01-16T06:00:00Z"));
  });

  it("handles a daytime window and an empty one", () => {
    const lunch = { start: "12:00", end: "13:30", timeZone: "UTC" };
    expect(nextAllowedInstant(utc("2026-05-01T12:10:00Z"), lunch)).toBe(utc("2026-05-01T13:30:00Z"));
    expect(nextAllowedInstant(utc("2026-05-01T13:30:00Z"), lunch)).toBe(utc("2026-05-01T13:30:00Z"));
    const none = { start: "09:00", end: "09:00", timeZone: "UTC" };
    expect(nextAllowedInstant(utc("2026-05-01T09:00:00Z"), none)).toBe(utc("2026-05-01T09:00:00Z"));
  });

  describe("across a daylight-saving change during the night", () => {
    it("America/New_York, spring forward (8 March 2026): the night is an hour shorter", () => {
      // 23:30 EST on the 7th; the window ends at 07:00 EDT (UTC-4), not 07:00 EST.
      expect(nextAllowedInstant(utc("2026-03-08T04:30:00Z"), night("America/New_York"))).toBe(
        utc("2026-03-08T11:00:00Z"),
      );
    });

    it("America/New_York, fall back (1 November 2026): the night is an hour longer", () => {
      // 23:00 EDT on 31 October; the window ends at 07:00 EST (UTC-5).
      expect(nextAllowedInstant(utc("2026-11-01T03:00:00Z"), night("America/New_York"))).toBe(
        utc("2026-11-01T12:00:00Z"),
      );
      // 01:30 local happens twice that night; both are quiet, and both end at the same 07:00 EST.
      for (const t of ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"]) {
        expect(nextAllowedInstant(utc(t), night("America/New_York"))).toBe(utc("2026-11-01T12:00:00Z"));
      }
    });

    it("Europe/Berlin, spring forward (29 March 2026) and fall back (25 October 2026)", () => {
      expect(nextAllowedInstant(utc("2026-03-28T22:00:00Z"), night("Europe/Berlin"))).toBe(
        utc("2026-03-29T05:00:00Z"),
      );
      expect(nextAllowedInstant(utc("2026-10-24T21:00:00Z"), night("Europe/Berlin"))).toBe(
        utc("2026-10-25T06:00:00Z"),
      );
    });
  });

  it("maps a skipped local time past the change, and a repeated one to its first instance", () => {
    // 02:30 does not exist in New York on 8 March 2026: an hour after 01:30 EST is 03:30 EDT.
    expect(zonedInstant("America/New_York", 2026, 3, 8, 2, 30)).toBe(utc("2026-03-08T07:30:00Z"));
    // 01:30 happens twice on 1 November 2026: the first (EDT) one.
    expect(zonedInstant("America/New_York", 2026, 11, 1, 1, 30)).toBe(utc("2026-11-01T05:30:00Z"));
    expect(zonedInstant("Europe/Berlin", 2026, 7, 1, 9, 0)).toBe(utc("2026-07-01T07:00:00Z"));
  });
});
