import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { customInstrument, GAD7, MOOD, PHQ9, parseCustomScale } from "./instruments.ts";
import { bandOf, scoreAnswers, validAnswers } from "./scoring.ts";

/** Known PHQ-9 answer sets: every band's lower and upper boundary, and item 9 on its own. */
const PHQ9_TABLE: [number[], number, string, boolean][] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "minimal", false],
  [[1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal", false],
  [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild", false],
  [[3, 3, 3, 0, 0, 0, 0, 0, 0], 9, "mild", false],
  [[2, 2, 2, 2, 2, 0, 0, 0, 0], 10, "moderate", false],
  [[2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "moderate", false],
  [[3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "moderately_severe", false],
  [[3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "moderately_severe", false],
  [[3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "severe", false],
  [[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "severe", true],
  [[0, 0, 0, 0, 0, 0, 0, 0, 1], 1, "minimal", true],
  [[2, 1, 0, 1, 0, 0, 0, 0, 2], 6, "mild", true],
];

const GAD7_TABLE: [number[], number, string][] = [
  [[0, 0, 0, 0, 0, 0, 0], 0, "minimal"],
  [[1, 1, 1, 1, 0, 0, 0], 4, "minimal"],
  [[1, 1, 1, 1, 1, 0, 0], 5, "mild"],
  [[3, 3, 3, 0, 0, 0, 0], 9, "mild"],
  [[2, 2, 2, 2, 2, 0, 0], 10, "moderate"],
  [[2, 2, 2, 2, 2, 2, 2], 14, "moderate"],
  [[3, 3, 3, 3, 3, 0, 0], 15, "severe"],
  [[3, 3, 3, 3, 3, 3, 3], 21, "severe"],
];

describe("PHQ-9", () => {
  it("has the nine standard items with their LOINC codes", () => {
    expect(PHQ9.items.map((i) => i.loinc)).toEqual([
      "44250-9",
      "44255-8",
      "44259-0",
      "44254-1",
      "44251-7",
      "44258-2",
      "44252-5",
      "44253-3",
      "44260-8",
    ]);
    expect(PHQ9.items[8]?.text).toBe(
      "Thoughts that you would be better off dead or of hurting yourself in some way",
    );
    expect(PHQ9.loinc).toEqual({ panel: "44249-1", total: "44261-6" });
  });

  it.each(PHQ9_TABLE)("scores %j as %i (%s), item 9 above zero: %s", (answers, total, band, flag) => {
    const s = scoreAnswers(PHQ9, answers);
    expect(s.total).toBe(total);
    expect(s.band?.id).toBe(band);
    expect(s.item9AboveZero).toBe(flag);
  });

  it("bands 0–4, 5–9, 10–14, 15–19, 20–27", () => {
    const bands = Array.from({ length: 28 }, (_, t) => bandOf(PHQ9, t)?.id);
    expect(bands.slice(0, 5).every((b) => b === "minimal")).toBe(true);
    expect(bands.slice(5, 10).every((b) => b === "mild")).toBe(true);
    expect(bands.slice(10, 15).every((b) => b === "moderate")).toBe(true);
    expect(bands.slice(15, 20).every((b) => b === "moderately_severe")).toBe(true);
    expect(bands.slice(20, 28).every((b) => b === "severe")).toBe(true);
    expect(bandOf(PHQ9, 28)).toBeUndefined();
  });
});

describe("GAD-7", () => {
  it("has the seven standard items", () => {
    expect(GAD7.items).toHaveLength(7);
    expect(GAD7.loinc).toEqual({ panel: "69737-5", total: "70274-6" });
  });

  it.each(GAD7_TABLE)("scores %j as %i (%s)", (answers, total, band) => {
    const s = scoreAnswers(GAD7, answers);
    expect(s.total).toBe(total);
    expect(s.band?.id).toBe(band);
    expect(s.item9AboveZero).toBe(false);
  });
});

describe("mood and custom scales", () => {
  it("scores a mood tap as its value, with no band", () => {
    expect(scoreAnswers(MOOD, [4])).toEqual({ total: 4, item9AboveZero: false });
    expect(() => scoreAnswers(MOOD, [0])).toThrow(RangeError);
  });

  it("scores a custom scale as the sum of its items", () => {
    const scale = parseCustomScale({ title: "Sleep", items: ["Slept well", "Rested"], min: 0, max: 10 });
    expect(scale).toBeDefined();
    const inst = customInstrument(scale as NonNullable<typeof scale>);
    expect(inst.range).toEqual({ min: 0, max: 20 });
    expect(scoreAnswers(inst, [7, 3]).total).toBe(10);
  });

  it("refuses malformed custom scales", () => {
    for (const bad of [
      null,
      { title: "", items: ["a"], min: 0, max: 4 },
      { title: "t", items: [], min: 0, max: 4 },
      { title: "t", items: ["a", "b", "c", "d", "e", "f"], min: 0, max: 4 },
      { title: "t", items: ["a"], min: 3, max: 3 },
      { title: "t", items: ["a"], min: 0, max: 11 },
      { title: "t", items: ["a"], min: 0.5, max: 4 },
      { title: "t", items: ["a"], min: 0, max: 4, minLabel: 3 },
    ]) {
      expect(parseCustomScale(bad)).toBeUndefined();
    }
  });
});

describe("properties", () => {
  const phq9Answers = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 9, maxLength: 9 });
  const gad7Answers = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 7, maxLength: 7 });

  it("every complete answer set has a total in range and exactly one band containing it", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          phq9Answers.map((a) => [PHQ9, a] as const),
          gad7Answers.map((a) => [GAD7, a] as const),
        ),
        ([inst, a]) => {
          const s = scoreAnswers(inst, a);
          expect(s.total).toBeGreaterThanOrEqual(inst.range.min);
          expect(s.total).toBeLessThanOrEqual(inst.range.max);
          expect(inst.bands.filter((b) => s.total >= b.min && s.total <= b.max)).toHaveLength(1);
        },
      ),
    );
  });

  it("raising one answer never lowers the total or the band", () => {
    fc.assert(
      fc.property(phq9Answers, fc.integer({ min: 0, max: 8 }), (a, i) => {
        fc.pre((a[i] ?? 3) < 3);
        const b = [...a];
        b[i] = (b[i] ?? 0) + 1;
        const before = scoreAnswers(PHQ9, a);
        const after = scoreAnswers(PHQ9, b);
        expect(after.total).toBe(before.total + 1);
        expect(after.band?.min ?? 0).toBeGreaterThanOrEqual(before.band?.min ?? 0);
      }),
    );
  });

  it("item 9 above zero is flagged exactly when the ninth answer is above zero", () => {
    fc.assert(
      fc.property(phq9Answers, (a) => {
        expect(scoreAnswers(PHQ9, a).item9AboveZero).toBe((a[8] ?? 0) > 0);
      }),
    );
  });

  it("any incomplete or out-of-range set is refused, never scored", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 8 }), fc.double(), fc.string()), { maxLength: 12 }),
        (a) => {
          const ok =
            a.length === 9 &&
            a.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 3);
          expect(validAnswers(PHQ9, a)).toBe(ok);
          if (!ok) expect(() => scoreAnswers(PHQ9, a as number[])).toThrow(RangeError);
        },
      ),
    );
  });
});
