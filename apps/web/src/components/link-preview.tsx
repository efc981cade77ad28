import { Fragment } from "react";
import sites from "../data/resource-sites.json" with { type: "json" };

/**
 * Links in a message, and the preview card shown under it.
 *
 * The preview is made on the device from the link itself; nobody fetches the page — not the server,
 * not the other person's device, not the sender's. Fetching would tell the linked site (and anyone
 * watching) that this person is in a therapy conversation, and when; and a server-side fetch would
 * show the server the link. What the card shows instead: the site's name when it is one of the
 * well-known mental-health resources bundled with the app (src/data/resource-sites.json), and always
 * the real address, so a look-alike link can't pass for another site.
 */

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
/** Punctuation that usually ends a sentence rather than a link. */
const TRAILING = /[.,;:!?)\]}'"»”’]+$/u;
/** At most this many preview cards under one message. */
const MAX_CARDS = 2;

interface ResourceSite {
  host: string;
  name: string;
}

const KNOWN: readonly ResourceSite[] = (sites as { sites: ResourceSite[] }).sites;

/** A link found in a message: where it sits in the text and the parsed address. */
interface FoundLink {
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
function knownSite(host: string): string | undefined {
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

/** The text of a message with its links clickable (opened in a new tab, no referrer). */
export function LinkedText({ text }: { text: string }) {
  const links = findLinks(text);
  if (links.length === 0) return <>{text}</>;
  let at = 0;
  return (
    <>
      {links.map((l) => {
        const before = text.slice(at, l.start);
        at = l.end;
        return (
          <Fragment key={l.start}>
            {before}
            <a href={l.url.href} target="_blank" rel="noopener noreferrer">
              {text.slice(l.start, l.end)}
            </a>
          </Fragment>
        );
      })}
      {text.slice(at)}
    </>
  );
}

/** Preview cards for the first links of `text` (none if it has no links). */
export function LinkPreviews({ text }: { text: string }) {
  const links = findLinks(text);
  const seen = new Set<string>();
  const unique = links.filter((l) => !seen.has(l.url.href) && seen.add(l.url.href)).slice(0, MAX_CARDS);
  if (unique.length === 0) return null;
  return (
    <>
      {unique.map(({ url }) => {
        const name = knownSite(url.hostname);
        const path = readablePath(url);
        return (
          <a
            key={url.href}
            className="link-card"
            href={url.href}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="link-card"
          >
            <span className="link-card__site">{name ?? url.hostname}</span>
            {name ? <span className="link-card__host">{url.hostname}</span> : null}
            {path ? <span className="link-card__path">{path}</span> : null}
            {url.protocol === "http:" ? (
              <span className="link-card__note">Not a secure (https) link</span>
            ) : null}
            <span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        );
      })}
    </>
  );
}
