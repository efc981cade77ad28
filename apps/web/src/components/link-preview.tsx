import "./link-preview.css";
import { Fragment } from "react";
import { findLinks, knownSite, MAX_CARDS, readablePath } from "../format/links.ts";

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
