import { newId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CodecContext, jsonCodec } from "../payload-codec.ts";
import { type CheckinAnswer, parseCheckinAnswer, parseCheckinPlanContent } from "./checkin-content.ts";

const ctx: CodecContext = { conversationId: newId("cnv"), messageId: newId("msg") };
const enc = new TextEncoder();
const planId = "pln_AAAAAAAAAAAAAAAAAAAAAA";

const answerArb: fc.Arbitrary<CheckinAnswer> = fc.oneof(
  fc.record(
    {
      instrument: fc.constant("phq9" as const),
      answers: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 9, maxLength: 9 }),
      answeredAt: fc.constant("2026-03-08T20:01:00.000Z"),
      planId: fc.constant(planId),
      dueAt: fc.constant("2026-03-08T20:00:00.000Z"),
    },
    { requiredKeys: ["instrument", "answers", "answeredAt"] },
  ),
  fc.record({
    instrument: fc.constant("gad7" as const),
    answers: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 7, maxLength: 7 }),
    answeredAt: fc.constant("2026-03-08T20:01:00Z"),
  }),
  fc.record(
    {
      instrument: fc.constant("mood" as const),
      answers: fc.tuple(fc.integer({ min: 1, max: 5 })),
      answeredAt: fc.constant("2026-03-08T20:01:00Z"),
      note: fc.string({ unit: "grapheme", maxLength: 300 }),
    },
    { requiredKeys: ["instrument", "answers", "answeredAt"] },
  ),
);

describe("check-in content in the payload", () => {
  it("round-trips any valid answer through the codec (property)", async () => {
    await fc.assert(
      fc.asyncProperty(answerArb, async (checkin) => {
        const content = { kind: "checkin" as const, text: "Check-in answered", checkin };
        const r = await jsonCodec.decode(await jsonCodec.encode(content, ctx), ctx);
        expect(r).toEqual({ ok: true, content });
      }),
    );
  });

  it("round-trips a plan, custom scale included", async () => {
    const checkinPlan = {
      planId,
      instrument: "custom" as const,
      custom: { title: "Sleep", items: ["Slept well"], min: 0, max: 10, maxLabel: "Very well" },
      schedule: { timeZone: "Europe/Berlin", time: "20:00", days: [1, 4] },
    };
    const content = { kind: "checkin-plan" as const, text: "New check-in plan", checkinPlan };
    const bytes = await jsonCodec.encode(content, ctx);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({ v: 1, ...content });
    expect(await jsonCodec.decode(bytes, ctx)).toEqual({ ok: true, content });
  });

  it("refuses to encode an invalid check-in (misuse)", async () => {
    await expect(
      jsonCodec.encode(
        {
          kind: "checkin",
          text: "x",
          checkin: { instrument: "phq9", answers: [1], answeredAt: "2026-01-01T00:00:00Z" },
        },
        ctx,
      ),
    ).rejects.toThrow(RangeError);
  });

  it.each([
    [
      "PHQ-9 with 8 answers",
      { instrument: "phq9", answers: [0, 0, 0, 0, 0, 0, 0, 0], answeredAt: "2026-01-01T00:00:00Z" },
    ],
    [
      "a value out of range",
      { instrument: "gad7", answers: [0, 0, 0, 0, 0, 0, 4], answeredAt: "2026-01-01T00:00:00Z" },
    ],
    [
      "a note on a PHQ-9",
      { instrument: "phq9", answers: Array(9).fill(0), answeredAt: "2026-01-01T00:00:00Z", note: "x" },
    ],
    [
      "a note too long",
      { instrument: "mood", answers: [3], answeredAt: "2026-01-01T00:00:00Z", note: "x".repeat(2001) },
    ],
    ["an unknown instrument", { instrument: "beck", answers: [1], answeredAt: "2026-01-01T00:00:00Z" }],
    ["a bad time", { instrument: "mood", answers: [3], answeredAt: "yesterday" }],
    [
      "a bad plan id",
      { instrument: "mood", answers: [3], answeredAt: "2026-01-01T00:00:00Z", planId: "usr_x" },
    ],
    [
      "a custom check-in without its scale",
      { instrument: "custom", answers: [3], answeredAt: "2026-01-01T00:00:00Z" },
    ],
  ])("decodes %s as malformed", async (_name, checkin) => {
    const bytes = enc.encode(JSON.stringify({ v: 1, kind: "checkin", text: "x", checkin }));
    expect(await jsonCodec.decode(bytes, ctx)).toEqual({ ok: false, reason: "malformed_payload" });
  });

  it("never accepts arbitrary JSON as a check-in or plan unless it parses as one (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const a = parseCheckinAnswer(v);
        if (a) expect(parseCheckinAnswer(JSON.parse(JSON.stringify(a)))).toEqual(a);
        const p = parseCheckinPlanContent(v);
        if (p) expect(p.planId).toMatch(/^pln_/);
      }),
    );
  });
});
