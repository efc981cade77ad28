import sites from "../data/resource-sites.json" with { type: "json" };

/**
 * Reading links in a message, for the preview card made on the device (see components/link-preview).
 * Pure functions of the text: nothing here fetches anything.
 */

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
/** Punctuation that usually ends a sentence rather than a link. */
const TRAILING = /[.,;:!?)\]}'"»”’]+$/u;
/** At most this many preview cards under one message. */
export const MAX_CARDS = 2;

interface ResourceSite {
  host: string;
  name: string;
}

const KNOWN: readonly ResourceSite[] = (sites as { sites: ResourceSite[] }).sites;

/** A link found in a message: where it sits in the text and the parsed address. */
export interface FoundLink {
  start: number;
  end: number;
  url: URL;
}

/** The http(s) links in `text`, in order (trailing sentence punctuation is not part of a link). */
export function findLinks(text: string): FoundLink[] {
  const out: FoundLink[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, "");
    try {
      const url = new URL(raw);
      if (url.username || url.password) continue; // user:pass@host hides the real host
      out.push({ start: match.index, end: match.index + raw.length, url });
    } catch {
      // Not a URL after all: stays plain text.
    }
  }
  return out;
}

/** The bundled name of a well-known resource site for `host` (or a subdomain of it). */
export function knownSite(host: string): string | undefined {
  const h = host.toLowerCase().replace(/^www\./, "");
  return KNOWN.find((s) => h === s.host || h.endsWith(`.${s.host}`))?.name;
}

/** A short, readable path: "/mental-health/conditions/anxiety" → "mental-health › conditions › anxiety". */
/** Control characters, and the invisible ones that reorder or hide text (bidi controls, zero widths). */
const HIDDEN = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/gu;

export function readablePath(url: URL): string {
  const parts = url.pathname
    .split("/")
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  // Decoded text could carry direction overrides or control characters that make the card say
  // something other than where the link goes: they are dropped.
  const path = parts.join(" › ").replace(HIDDEN, "");
  return path.length > 80 ? `${path.slice(0, 80)}…` : path;
}
