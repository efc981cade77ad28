import timeZones from "../data/time-zones.json" with { type: "json" };

const ZONES: Readonly<Record<string, string>> = timeZones.zones;

/** Where a region guess came from (shown to the user so a wrong guess is easy to understand). */
export type RegionSource = "time-zone" | "language";

/** A guessed region (ISO 3166-1 alpha-2) and what it was guessed from. */
export interface RegionGuess {
  code: string;
  source: RegionSource;
}

/** What the browser tells us, passed in so the guess is testable without a browser. */
export interface RegionHints {
  /** `navigator.languages` (or `[navigator.language]`). */
  languages: readonly string[];
  /** `Intl.DateTimeFormat().resolvedOptions().timeZone`, if any. */
  timeZone?: string | undefined;
}

/** The country of an IANA time zone ("Europe/London" -> "GB"), if it belongs to one. */
export function countryOfTimeZone(timeZone: string): string | undefined {
  return ZONES[timeZone];
}

function regionOfLanguage(tag: string): string | undefined {
  try {
    const region = new Intl.Locale(tag).region;
    // Only two-letter regions are countries; "419" (Latin America) and friends are not.
    return region && /^[A-Z]{2}$/.test(region) ? region : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Guesses the country the person is in, for crisis lines. The time zone says where the device
 * is, which matters more for a phone number than the language someone prefers (an "en-US"
 * browser in London needs UK lines), so it wins; then the first language with a region
 * ("en-GB"). No guess when neither says anything: the screen then asks. Never sends anything.
 */
export function guessRegion(hints: RegionHints): RegionGuess | undefined {
  const fromZone = hints.timeZone ? countryOfTimeZone(hints.timeZone) : undefined;
  if (fromZone) return { code: fromZone, source: "time-zone" };
  for (const tag of hints.languages) {
    const region = regionOfLanguage(tag);
    if (region) return { code: region, source: "language" };
  }
  return undefined;
}

/** {@link guessRegion} with this browser's hints. */
export function guessBrowserRegion(): RegionGuess | undefined {
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  let timeZone: string | undefined;
  try {
    timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    timeZone = undefined;
  }
  return guessRegion({ languages, timeZone });
}

/** A country's name in English ("GB" -> "United Kingdom"), or the code itself if unknown. */
export function regionName(code: string, locale = "en"): string {
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}
