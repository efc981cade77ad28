import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock.ts";

describe("ManualClock", () => {
  it("runs due timers in time order, including ones scheduled while advancing", () => {
    const c = new ManualClock(0);
    const seen: string[] = [];
    c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
    c.setTimeout(() => {
      seen.push(`a@${c.now()}`);
      c.setTimeout(() => seen.push(`c@${c.now()}`), 5);
    }, 10);
    const gone = c.setTimeout(() => seen.push("never"), 15);
    c.clearTimeout(gone);
    c.advance(12);
    expect(seen).toEqual(["a@10"]);
    c.advance(100);
    expect(seen).toEqual(["a@10", "c@15", "b@20"]);
    expect(c.now()).toBe(112);
    expect(c.pending).toBe(0);
  });
});
