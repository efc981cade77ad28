import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fullJitterDelay } from "./backoff.ts";

describe("fullJitterDelay", () => {
  it("stays within [min, min(max, min·2^(attempt+1))] for any attempt and random value", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (minMs, extra, attempt, r) => {
          const maxMs = minMs + extra;
          const d = fullJitterDelay(attempt, { minMs, maxMs }, () => r);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(minMs);
          expect(d).toBeLessThanOrEqual(Math.min(maxMs, minMs * 2 ** (attempt + 1)));
        },
      ),
    );
  });

  it("grows exponentially until the maximum, then stays there", () => {
    const top = (a: number) => fullJitterDelay(a, { minMs: 100, maxMs: 5_000 }, () => 0.999_999);
    expect([0, 1, 2, 3, 4, 5, 50].map(top)).toEqual([199, 399, 799, 1599, 3199, 4999, 4999]);
  });

  it("spreads delays from the very first attempt (no reconnect wave)", () => {
    const ds = new Set(
      Array.from({ length: 50 }, (_, i) => fullJitterDelay(0, { minMs: 100, maxMs: 1000 }, () => i / 50)),
    );
    expect(ds.size).toBeGreaterThan(40);
  });

  it("refuses bounds that make no sense", () => {
    expect(() => fullJitterDelay(0, { minMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => fullJitterDelay(0, { minMs: 10, maxMs: 5 })).toThrow(RangeError);
  });

  it("clamps a misbehaving random source", () => {
    expect(fullJitterDelay(2, { minMs: 10, maxMs: 1000 }, () => 7)).toBe(80);
    expect(fullJitterDelay(2, { minMs: 10, maxMs: 1000 }, () => -1)).toBe(10);
  });
});
