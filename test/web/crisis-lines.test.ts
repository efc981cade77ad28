import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CRISIS_DIRECTORY,
  findCountry,
  formatVersionDate,
  helpFor,
  smsHref,
  telHref,
} from "../../apps/web/src/crisis/crisis-directory.ts";
import { countryOfTimeZone, guessRegion } from "../../apps/web/src/crisis/detect-region.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BUNDLED = resolve(ROOT, "apps/web/src/data/crisis-lines.json");
const PROVENANCE = resolve(ROOT, "apps/web/src/data/README.md");

describe("bundled crisis directory", () => {
  it("is the reviewed copy: its checksum is the one recorded beside it", () => {
    // If this fails, the file was edited by hand: copy the research directory again with
    // `npm run crisis-lines:update -- path/to/crisis-lines.json`, which records the new checksum.
    const recorded = /crisis-lines\.json sha256: ([0-9a-f]{64})/.exec(readFileSync(PROVENANCE, "utf8"))?.[1];
    const actual = createHash("sha256").update(readFileSync(BUNDLED)).digest("hex");
    expect(actual).toBe(recorded);
  });

  it("gives every line a source, a confidence and at least one way to reach it", () => {
    for (const country of CRISIS_DIRECTORY.countries) {
      expect(country.code, country.name).toMatch(/^[A-Z]{2}$/);
      for (const line of country.lines) {
        const where = `${country.code}: ${line.name}`;
        expect(line.source, where).toMatch(/^https?:\/\//);
        expect(["high", "medium", "low"], where).toContain(line.confidence);
        expect(Boolean(line.phone || line.sms || line.chat || line.whatsapp), where).toBe(true);
      }
    }
  });

  it("turns every printed number into a dialable link", () => {
    for (const country of CRISIS_DIRECTORY.countries) {
      if (country.emergency) expect(telHref(country.emergency), country.code).toMatch(/^tel:\d{3,}$/);
      for (const line of country.lines) {
        for (const n of [line.phone, ...(line.phone_alt ?? [])]) {
          if (n) expect(telHref(n), `${country.code} ${n}`).toMatch(/^tel:\+?\d{3,}$/);
        }
        if (line.sms) expect(smsHref(line.sms), `${country.code} ${line.sms}`).toMatch(/^sms:\d{3,}$/);
      }
    }
    expect(telHref("116 123")).toBe("tel:116123");
    expect(telHref("(011) 5275-1135")).toBe("tel:01152751135");
    expect(telHref("+44 116 123")).toBe("tel:+44116123");
    expect(telHref("no digits")).toBeUndefined();
  });

  it("has the numbers the app promises for the US and the UK", () => {
    expect(findCountry("us")?.lines[0]?.phone).toBe("988");
    expect(findCountry("US")?.emergency).toBe("911");
    expect(findCountry("GB")?.lines[0]?.phone).toBe("116 123");
    expect(findCountry("GB")?.emergency).toBe("999");
  });

  it("never invents a number for a country it does not list", () => {
    const greece = helpFor("GR");
    expect(greece).toMatchObject({ kind: "unlisted", code: "GR", emergency: "112" });
    const thailand = helpFor("TH");
    expect(thailand.kind).toBe("unlisted");
    expect(thailand.kind === "unlisted" && thailand.emergency).toBeFalsy();
    expect(thailand.kind === "unlisted" && thailand.international.map((c) => c.code)).toEqual(["EU"]);
  });

  it("shows the directory date readably", () => {
    expect(formatVersionDate("2026-11-28")).toBe("28 November 2026");
    expect(formatVersionDate(CRISIS_DIRECTORY.version)).toMatch(/\d{4}$/);
  });
});

describe("region guess", () => {
  it("prefers the time zone, then a language with a region", () => {
    expect(guessRegion({ languages: ["en-US"], timeZone: "Europe/London" })).toEqual({
      code: "GB",
      source: "time-zone",
    });
    expect(guessRegion({ languages: ["en-GB", "en"], timeZone: "UTC" })).toEqual({
      code: "GB",
      source: "language",
    });
    expect(guessRegion({ languages: ["en", "de-AT"], timeZone: undefined })).toEqual({
      code: "AT",
      source: "language",
    });
    expect(guessRegion({ languages: ["es-419"], timeZone: "Etc/UTC" })).toBeUndefined();
    expect(guessRegion({ languages: ["not a tag!"] })).toBeUndefined();
  });

  it("knows legacy zone names browsers still report", () => {
    expect(countryOfTimeZone("Asia/Calcutta")).toBe("IN");
    expect(countryOfTimeZone("Europe/Oslo")).toBe("NO");
    expect(countryOfTimeZone("America/Toronto")).toBe("CA");
  });
});
