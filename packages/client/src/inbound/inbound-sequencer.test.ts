import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InboundSequencer } from "./inbound-sequencer.ts";

describe("InboundSequencer", () => {
  it("whatever arrives (duplicates, reordering, gaps), what it lets through is 1, 2, 3, … once each", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 200 }), (arrivals) => {
        const s = new InboundSequencer();
        const delivered: number[] = [];
        for (const seq of arrivals) {
          if (s.check("c", seq) === "deliver") {
            s.advance("c", seq);
            delivered.push(seq);
          }
        }
        expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1));
        expect(s.cursor("c")).toBe(delivered.length);
      }),
    );
  });

  it("classifies duplicates, the next entry and gaps", () => {
    const s = new InboundSequencer();
    s.merge({ c: 5 });
    expect(s.check("c", 4)).toBe("duplicate");
    expect(s.check("c", 5)).toBe("duplicate");
    expect(s.check("c", 6)).toBe("deliver");
    expect(s.check("c", 8)).toBe("gap");
    expect(s.check("other", 1)).toBe("deliver");
  });

  it("cursors only move forward, one at a time", () => {
    const s = new InboundSequencer();
    s.merge({ c: 3 });
    s.merge({ c: 1, d: 2 });
    expect(s.snapshot()).toEqual({ c: 3, d: 2 });
    expect(() => s.advance("c", 5)).toThrow();
    s.advance("c", 4);
    expect(s.cursor("c")).toBe(4);
  });
});
