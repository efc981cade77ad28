import { describe, expect, it } from "vitest";
import { checkinSummary } from "../../apps/web/src/state/session/checkin-summary.ts";

describe("a check-in's line in the chat", () => {
  it("is scored on this device, with the band, the item-9 mark and a mood note", () => {
    const at = "2026-03-08T20:01:00.000Z";
    expect(
      checkinSummary({
        kind: "checkin",
        text: "Check-in answered",
        checkin: { instrument: "phq9", answers: [3, 3, 3, 3, 3, 0, 0, 0, 1], answeredAt: at },
      }),
    ).toBe("PHQ-9 check-in: 16 (Moderately severe) · item 9 answered above zero");
    expect(
      checkinSummary({
        kind: "checkin",
        text: "ignored: the sender's words are not the score",
        checkin: { instrument: "mood", answers: [2], note: "long day", answeredAt: at },
      }),
    ).toBe("Mood check-in: 2 · “long day”");
  });

  it("names a plan's instrument and time, and leaves other messages alone", () => {
    expect(
      checkinSummary({
        kind: "checkin-plan",
        text: "New check-in plan",
        checkinPlan: {
          planId: "pln_AAAAAAAAAAAAAAAAAAAAAA",
          instrument: "gad7",
          schedule: { timeZone: "Europe/Berlin", time: "20:00" },
        },
      }),
    ).toBe("New check-in: GAD-7, every day at 20:00. Open Check-ins to answer.");
    expect(checkinSummary({ text: "hello" })).toBeUndefined();
    expect(checkinSummary(undefined)).toBeUndefined();
  });
});
