import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DisplayNameSchema } from "./http.ts";
import { isSafeName } from "./names.ts";
import { parse } from "./parse.ts";

// Security check finding 4: display and device names accepted NUL, bidi overrides (U+202E) and other
// control characters, stored verbatim, so a patient could look like someone else in the caseload.
describe("finding 4: names", () => {
  const forbidden = [
    "\u0000", // NUL
    "\u0007", // bell
    "\u001b", // escape
    "\u0085", // C1 next line
    "\u200b", // zero-width space
    "\u200e", // left-to-right mark
    "\u202a", // left-to-right embedding
    "\u202e", // right-to-left override
    "\u2066", // left-to-right isolate
    "\u2069", // pop directional isolate
    "\u2028", // line separator
    "\u2029", // paragraph separator
    "\ufeff", // byte order mark
    "\u00ad", // soft hyphen
    "\ud800", // lone surrogate
    "\u{e0041}", // tag character
  ];

  it.each(forbidden.map((c) => [c.codePointAt(0)?.toString(16), c]))(
    "refuses U+%s with name_invalid",
    (_, c) => {
      const r = parse(DisplayNameSchema, `Dr${c}Smith`);
      expect(r).toEqual({ ok: false, code: "name_invalid" });
    },
  );

  it("normalises to NFC", () => {
    const r = parse(DisplayNameSchema, "  Zoe\u0301  ");
    expect(r).toEqual({ ok: true, value: "Zoé" });
  });

  it("keeps the joiners that scripts and emoji need", () => {
    for (const name of ["می\u200cخواهم", "क्\u200dष", "Sam 👩\u200d👩\u200d👧", "李小龍", "ธนา", "José 🌻"]) {
      expect(parse(DisplayNameSchema, name).ok, name).toBe(true);
    }
  });

  it("property: an accepted name is NFC, trimmed and free of forbidden characters; others are refused with a code", () => {
    const pieces = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.constantFrom(...forbidden),
      fc.string({ unit: "binary", maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 6 }), (parts) => {
        const input = parts.join("");
        const r = parse(DisplayNameSchema, input);
        if (r.ok) {
          expect(r.value).toBe(r.value.normalize("NFC"));
          expect(r.value).toBe(r.value.trim());
          expect(isSafeName(r.value)).toBe(true);
          expect(r.value.length).toBeGreaterThan(0);
          expect([...r.value].length).toBeLessThanOrEqual(64); // zod counts code points
        } else {
          expect(["bad_request", "name_invalid"]).toContain(r.code);
          if (forbidden.some((c) => input.normalize("NFC").includes(c)) && input.trim().length > 0) {
            // A forbidden character in an otherwise acceptable name is always the named refusal.
            const otherwiseFine = [...input.normalize("NFC").trim()].length <= 64;
            if (otherwiseFine) expect(r.code).toBe("name_invalid");
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
