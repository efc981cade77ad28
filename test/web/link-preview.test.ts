import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findLinks, knownSite, readablePath } from "../../apps/web/src/format/links.ts";

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

describe("finding links in a message", () => {
  it("finds http(s) links without the sentence's punctuation, and never one hiding its host", () => {
    const text = "See https://www.nhs.uk/every-mind-matters/. Or https://user:pw@evil.example/x, or ftp://x.";
    expect(findLinks(text).map((l) => l.url.href)).toEqual(["https://www.nhs.uk/every-mind-matters/"]);
  });

  it("gives in-order, separate links whose text is exactly the address, for any message", () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("https://", "http://", "www.", ".", ")", " ", "\n", "@", ":", "/", "?q=1", "#x"),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        const links = findLinks(text);
        let at = 0;
        for (const l of links) {
          expect(l.start).toBeGreaterThanOrEqual(at);
          expect(l.end).toBeGreaterThan(l.start);
          at = l.end;
          expect(new URL(text.slice(l.start, l.end)).href).toBe(l.url.href);
          expect(["http:", "https:"]).toContain(l.url.protocol);
          expect(l.url.username + l.url.password).toBe("");
        }
      }),
    );
  });

  it("names a known resource only on its own host, never on a look-alike", () => {
    expect(knownSite("www.nhs.uk")).toBe("NHS");
    expect(knownSite("nhs.uk.example.com")).toBeUndefined();
    expect(knownSite("notnhs.uk")).toBeUndefined();
  });
});
