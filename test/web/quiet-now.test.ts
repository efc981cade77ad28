import { describe, expect, it } from "vitest";
import { inQuietHours } from "../../apps/web/src/push/quiet-now.ts";

describe("Settings: are quiet hours on now?", () => {
  const night = { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" };

  it("follows the local clock across midnight and the spring change", () => {
    // 2026-03-29: at 02:00 Berlin moves from UTC+1 to UTC+2.
    expect(inQuietHours(night, Date.UTC(2026, 2, 28, 20, 59))).toBe(false); // 21:59 local
    expect(inQuietHours(night, Date.UTC(2026, 2, 28, 21, 0))).toBe(true); // 22:00 local
    expect(inQuietHours(night, Date.UTC(2026, 2, 29, 4, 59))).toBe(true); // 06:59 local (summer time)
    expect(inQuietHours(night, Date.UTC(2026, 2, 29, 5, 0))).toBe(false); // 07:00 local
  });

  it("a daytime window, and equal start and end mean none", () => {
    const day = { start: "12:00", end: "13:00", timeZone: "America/New_York" };
    expect(inQuietHours(day, Date.UTC(2026, 6, 1, 16, 30))).toBe(true); // 12:30 EDT
    expect(inQuietHours(day, Date.UTC(2026, 6, 1, 17, 0))).toBe(false);
    expect(inQuietHours({ ...day, end: "12:00" }, Date.UTC(2026, 6, 1, 16, 0))).toBe(false);
  });
});
