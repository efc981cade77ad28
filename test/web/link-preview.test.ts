import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readablePath } from "../../apps/web/src/components/link-preview.tsx";

const HIDDEN = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

describe("link preview path", () => {
  it("reads a resource's address as words", () => {
    const url = new URL("https://www.nhs.uk/mental-health/self-help/breathing%20exercises/");
    expect(readablePath(url)).toBe("mental-health › self-help › breathing exercises");
  });

  it("never shows direction overrides, zero-width or control characters, whatever the address", () => {
    // "‮" (right-to-left override) would make "fdp.exe" read as "exe.pdf".
    expect(readablePath(new URL("https://example.org/%E2%80%AEfdp.exe"))).toBe("fdp.exe");
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 20 }), { maxLength: 6 }), (segments) => {
        const url = new URL(`https://example.org/${segments.map(encodeURIComponent).join("/")}`);
        const path = readablePath(url);
        expect(HIDDEN.test(path)).toBe(false);
        expect(path.length).toBeLessThanOrEqual(81);
      }),
    );
  });
});
