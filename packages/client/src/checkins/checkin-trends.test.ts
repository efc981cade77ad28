import type { CheckinPlan } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { type CheckinEntry, checkinTrends } from "./checkin-trends.ts";

const patientId = "usr_PPPPPPPPPPPPPPPPPPPPPP";
const planId = "pln_AAAAAAAAAAAAAAAAAAAAAA";
const schedule = { timeZone: "America/New_York", time: "20:00" };
const plan = {
  id: planId,
  conversationId: "cnv_CCCCCCCCCCCCCCCCCCCCCC",
  patientId,
  createdBy: "usr_TTTTTTTTTTTTTTTTTTTTTT",
  schedule,
  createdAt: "2026-03-06T12:00:00.000Z",
  nextAt: "2026-03-06T12:00:00.000Z",
} as CheckinPlan;

let n = 0;
const msg = (content: CheckinEntry["content"], senderId = patientId): CheckinEntry => ({
  messageId: `msg_${String(++n).padStart(16, "0")}`,
  senderId,
  sentAt: "2026-03-06T12:00:00.000Z",
  content,
});
const mood = (value: number, answeredAt: string) =>
  msg({
    kind: "checkin",
    text: "Check-in",
    checkin: { planId, instrument: "mood", answers: [value], answeredAt },
  });

describe("check-in trends", () => {
  it("lists scores per instrument and the scheduled evenings without an answer as missed", () => {
    const entries = [
      msg(
        { kind: "checkin-plan", text: "plan", checkinPlan: { planId, instrument: "mood", schedule } },
        plan.createdBy,
      ),
      mood(3, "2026-03-07T01:10:00.000Z"), // 20:10 EST on the 6th
      // the 7th: nothing
      mood(4, "2026-03-09T00:30:00.000Z"), // 20:30 EDT on the 8th (clocks sprang forward)
      mood(2, "2026-03-10T00:05:00.000Z"), // the 9th
    ];
    const [trend, ...rest] = checkinTrends(entries, [plan], Date.parse("2026-03-11T12:00:00.000Z"));
    expect(rest).toEqual([]);
    expect(trend?.kind).toBe("mood");
    expect(trend?.points.map((p) => p.score.total)).toEqual([3, 4, 2]);
    // The 7th is missed; the 10th (20:00 EDT) is still open until 20:00 on the 11th.
    expect(trend?.missed.map((t) => new Date(t).toISOString())).toEqual(["2026-03-08T01:00:00.000Z"]);
  });

  it("keeps a plan without its plan message out of the trends, and skips unreadable entries", () => {
    const trends = checkinTrends(
      [msg(undefined), msg({ text: "hello" })],
      [plan],
      Date.parse("2026-03-11T12:00:00Z"),
    );
    expect(trends).toEqual([]);
  });
});
