import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseContentLength } from "./content-length.ts";

describe("parseContentLength", () => {
  it("reads every decimal length up to 15 digits exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (n) => {
        expect(parseContentLength(String(n))).toBe(n);
      }),
    );
    expect(parseContentLength("0007")).toBe(7);
  });

  it("is undefined when absent and invalid for anything that is not plain digits", () => {
    expect(parseContentLength(undefined)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseContentLength(s);
        if (/^[0-9]{1,15}$/.test(s)) expect(r).toBe(Number(s));
        else expect(r).toBe("invalid");
      }),
    );
    for (const bad of ["", "-1", "+1", " 1", "1 ", "1e3", "0x10", "1.0", "1,2", "1234567890123456"]) {
      expect(parseContentLength(bad), bad).toBe("invalid");
    }
    expect(parseContentLength(["1", "1"])).toBe("invalid");
  });
});
