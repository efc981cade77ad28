import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CheckinSchedule,
  CheckinScheduleSchema,
  checkinOccurrences,
  lastCheckinAt,
  nextCheckinAt,
} from "./checkin-schedule.ts";

const localHHMM = (t: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    t,
  );

describe("check-in schedules", () => {
  // Spring forward and fall back in both zones: 2026-03-08 / 2026-11-01 (New York),
  // 2026-03-29 / 2026-10-25 (Berlin).
  it.each([
    ["America/New_York", "2026-03-05T12:00:00Z", "2026-03-12T12:00:00Z"],
    ["America/New_York", "2026-10-29T12:00:00Z", "2026-11-05T12:00:00Z"],
    ["Europe/Berlin", "2026-03-26T12:00:00Z", "2026-04-02T12:00:00Z"],
    ["Europe/Berlin", "2026-10-22T12:00:00Z", "2026-10-29T12:00:00Z"],
  ])("keeps 20:00 at 20:00 local in %s across the change (%s)", (timeZone, from, to) => {
    const s: CheckinSchedule = { timeZone, time: "20:00" };
    const times = checkinOccurrences(s, Date.parse(from), Date.parse(to));
    expect(times).toHaveLength(7);
    for (const t of times) expect(localHHMM(t, timeZone)).toBe("20:00");
    const gaps = new Set(times.slice(1).map((t, i) => (t - (times[i] ?? 0)) / 3_600_000));
    // One day is 23 or 25 hours long: the instants move, the local time does not.
    expect([...gaps].some((g) => g !== 24)).toBe(true);
  });

  it("fires a time skipped by spring-forward after the change, once", () => {
    const s: CheckinSchedule = { timeZone: "America/New_York", time: "02:30" };
    const t = nextCheckinAt(s, Date.parse("2026-03-08T05:00:00Z"));
    expect(new Date(t).toISOString()).toBe("2026-03-08T07:30:00.000Z"); // 03:30 EDT
  });

  it("fires a repeated autumn time once, at its first instance", () => {
    const s: CheckinSchedule = { timeZone: "America/New_York", time: "01:30" };
    const times = checkinOccurrences(
      s,
      Date.parse("2026-11-01T00:00:00Z"),
      Date.parse("2026-11-02T00:00:00Z"),
    );
    expect(times.map((t) => new Date(t).toISOString())).toEqual(["2026-11-01T05:30:00.000Z"]);
  });

  it("runs only on the chosen weekdays", () => {
    const s: CheckinSchedule = { timeZone: "Europe/Berlin", time: "09:00", days: [1, 4] };
    const times = checkinOccurrences(
      s,
      Date.parse("2026-06-01T00:00:00Z"),
      Date.parse("2026-06-15T00:00:00Z"),
    );
    expect(times.map((t) => new Date(t).getUTCDay())).toEqual([1, 4, 1, 4]);
  });

  it("the next time is always after the given instant and at the local time (property)", () => {
    const zones = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: Date.parse("2025-01-01"), max: Date.parse("2028-01-01") }),
        (timeZone, h, m, after) => {
          const time = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
          const t = nextCheckinAt({ timeZone, time }, after);
          expect(t).toBeGreaterThan(after);
          expect(t - after).toBeLessThanOrEqual(26 * 3_600_000);
        },
      ),
    );
  });

  it("refuses malformed schedules", () => {
    for (const bad of [
      { timeZone: "Mars/Olympus", time: "20:00" },
      { timeZone: "UTC", time: "24:00" },
      { timeZone: "UTC", time: "8:00" },
      { timeZone: "UTC", time: "20:00", days: [] },
      { timeZone: "UTC", time: "20:00", days: [1, 1] },
      { timeZone: "UTC", time: "20:00", days: [7] },
      { timeZone: "UTC", time: "20:00", extra: 1 },
    ]) {
      expect(CheckinScheduleSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("the last due time", () => {
  it("is the latest scheduled time at or before the instant", () => {
    const s: CheckinSchedule = { timeZone: "Europe/Berlin", time: "20:00" };
    expect(new Date(lastCheckinAt(s, Date.parse("2026-06-02T10:00:00Z")) ?? 0).toISOString()).toBe(
      "2026-06-01T18:00:00.000Z",
    );
    expect(lastCheckinAt({ ...s, days: [3] }, Date.parse("2026-06-02T10:00:00Z"))).toBe(
      Date.parse("2026-05-27T18:00:00Z"),
    );
  });
});
