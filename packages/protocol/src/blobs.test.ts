import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isBlobId } from "./blobs.ts";
import { bytesToBase64Url } from "./ids.ts";

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

describe("blob ids", () => {
  it("accepts `blb_` and 16–43 base64url characters, as the server makes them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 32 }), (bytes) => {
        expect(isBlobId(`blb_${bytesToBase64Url(bytes)}`)).toBe(true);
      }),
    );
  });

  it("refuses anything else: other prefixes, path tricks, wrong lengths, non-strings", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        if (typeof v === "string" && /^blb_[A-Za-z0-9_-]{16,43}$/.test(v)) return;
        expect(isBlobId(v)).toBe(false);
      }),
    );
    const body = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 16, maxLength: 43 });
    fc.assert(
      fc.property(body, fc.constantFrom("cnv_", "blb-", "BLB_", "", "blb_/", "blb_."), (b, prefix) => {
        expect(isBlobId(`${prefix}${b}`)).toBe(false);
      }),
    );
    for (const bad of [
      "blb_../../../../etc/passwd",
      "blb_aaaaaaaaaaaaaaa",
      `blb_${"a".repeat(44)}`,
      "blb_aaaaaaaaaaaaaaaa\n",
      "blb_aaaaaaaa/aaaaaaa",
      "blb_aaaaaaaa%2faaaaaa",
    ]) {
      expect(isBlobId(bad), bad).toBe(false);
    }
  });
});
