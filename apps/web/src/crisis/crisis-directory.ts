import data from "../data/crisis-lines.json" with { type: "json" };

/** How well a line's number was confirmed (see the directory's `note`). */
export type Confidence = "high" | "medium" | "low";

/** One helpline, exactly as the shared directory describes it. Absent fields were not confirmed. */
export interface CrisisLine {
  name: string;
  phone?: string;
  phone_alt?: string[];
  sms?: string;
  whatsapp?: string;
  chat?: string;
  hours?: string;
  languages?: string[];
  free?: boolean;
  notes?: string;
  source: string;
  other_sources?: string[];
  confidence: Confidence;
}

/** A country (or the EU-wide entry, code `EU`) with its emergency number and helplines. */
export interface CrisisCountry {
  code: string;
  name: string;
  emergency?: string;
  emergency_notes?: string;
  emergency_source?: string[];
  lines: CrisisLine[];
}

/** The whole directory (`apps/web/src/data/crisis-lines.json`, copied from the shared research). */
export interface CrisisDirectory {
  version: string;
  note: string;
  countries: CrisisCountry[];
}

/** The bundled directory. Bundled (not fetched) so "Get help now" works offline, from the first load. */
export const CRISIS_DIRECTORY: CrisisDirectory = data as CrisisDirectory;

/** The EU-wide entry's code; it is not a country and is offered as "elsewhere in the EU". */
export const EU_CODE = "EU";

/**
 * EU member states (ISO 3166-1 alpha-2). The directory says 112 is the emergency number in every
 * member state, so a member state without its own entry still gets 112 — and nothing invented.
 */
const EU_MEMBERS = new Set([
  "AT",
  "BE",
  "BG",
  "HR",
  "CY",
  "CZ",
  "DK",
  "EE",
  "FI",
  "FR",
  "DE",
  "GR",
  "HU",
  "IE",
  "IT",
  "LV",
  "LT",
  "LU",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SK",
  "SI",
  "ES",
  "SE",
]);

/** Whether `code` is an EU member state. */
export function isEuMember(code: string): boolean {
  return EU_MEMBERS.has(code.toUpperCase());
}

/** The directory's entry for `code` (a country code, or `EU`), if it has one. */
export function findCountry(
  code: string,
  directory: CrisisDirectory = CRISIS_DIRECTORY,
): CrisisCountry | undefined {
  const upper = code.toUpperCase();
  return directory.countries.find((c) => c.code === upper);
}

/**
 * What to show for a region: its own entry, or — when the directory has none — the emergency
 * number we can vouch for (112 in EU member states, from the EU entry) and the international
 * options the directory has.
 */
export type RegionHelp =
  | { kind: "listed"; country: CrisisCountry }
  | { kind: "unlisted"; code: string; emergency?: string; international: CrisisCountry[] };

/** Resolves a region code to what the crisis screen shows. */
export function helpFor(code: string, directory: CrisisDirectory = CRISIS_DIRECTORY): RegionHelp {
  const country = findCountry(code, directory);
  if (country) return { kind: "listed", country };
  const eu = findCountry(EU_CODE, directory);
  const international = eu ? [eu] : [];
  const emergency = isEuMember(code) ? eu?.emergency : undefined;
  return emergency
    ? { kind: "unlisted", code: code.toUpperCase(), emergency, international }
    : { kind: "unlisted", code: code.toUpperCase(), international };
}

/**
 * A `tel:` URI for a number as the directory prints it ("116 123", "1-800-668-6868",
 * "(011) 5275-1135"): digits only, and a leading "+" kept. Returns undefined if no digits remain.
 */
export function telHref(number: string): string | undefined {
  const plus = number.trim().startsWith("+") ? "+" : "";
  const digits = number.replace(/\D/g, "");
  return digits ? `tel:${plus}${digits}` : undefined;
}

/** An `sms:` URI for a text number, digits only. */
export function smsHref(number: string): string | undefined {
  const digits = number.replace(/\D/g, "");
  return digits ? `sms:${digits}` : undefined;
}

/** The directory's version date ("2026-11-28") as a readable date, e.g. "28 November 2026". */
export function formatVersionDate(version: string, locale = "en-GB"): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(version);
  if (!m) return version;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(date);
}
