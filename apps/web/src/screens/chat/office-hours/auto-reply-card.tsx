import type { AutomaticEntry } from "@hearth/client";
import { storedRegion } from "../../../components/crisis-help.tsx";
import { Name } from "../../../components/names.tsx";
import { helpFor, telHref } from "../../../crisis/crisis-directory.ts";
import { guessBrowserRegion, regionName } from "../../../crisis/detect-region.ts";
import { replyWithin, whenLocal } from "./office-hours-format.ts";

/** The crisis lines of this device's region, from the bundled directory (never from the server). */
function LocalCrisisLines({ onGetHelp }: { onGetHelp: () => void }) {
  const region = storedRegion() ?? guessBrowserRegion()?.code;
  const help = region ? helpFor(region) : undefined;
  const country = help?.kind === "listed" ? help.country : undefined;
  const emergency = country?.emergency ?? (help?.kind === "unlisted" ? help.emergency : undefined);
  const lines = (country?.lines ?? []).filter((l) => l.phone).slice(0, 3);
  const tel = emergency ? telHref(emergency) : undefined;
  return (
    <div className="auto-reply__crisis">
      <p className="auto-reply__crisis-title">
        If you need help now
        {region ? <> ({help?.kind === "listed" ? help.country.name : regionName(region)})</> : null}:
      </p>
      <ul className="auto-reply__lines">
        {emergency && tel ? (
          <li>
            Emergency: <a href={tel}>{emergency}</a>
          </li>
        ) : null}
        {lines.map((l) => {
          const href = telHref(l.phone ?? "");
          return (
            <li key={l.name}>
              {l.name}: {href ? <a href={href}>{l.phone}</a> : l.phone}
              {l.hours ? <span className="auto-reply__hours"> ({l.hours})</span> : null}
            </li>
          );
        })}
      </ul>
      <button type="button" className="button button--small" onClick={onGetHelp}>
        More crisis lines
      </button>
    </div>
  );
}

/**
 * A therapist's automatic reply: clearly automatic (its own look and label, never a bubble from the
 * therapist), when they are next available, their usual reply time, their own away note, and the
 * crisis lines of this device's region.
 */
export function AutoReplyCard({
  entry,
  therapistName,
  own,
  onGetHelp,
}: {
  entry: AutomaticEntry;
  therapistName: string;
  /** The therapist's own view: it was sent on their behalf, from their office hours. */
  own: boolean;
  onGetHelp: () => void;
}) {
  return (
    <article className="auto-reply" aria-label="Automatic reply" data-testid="auto-reply">
      <p className="auto-reply__label">Automatic reply</p>
      {own ? (
        <p>This came outside your office hours, so your patient got this automatic reply.</p>
      ) : (
        <p>
          <Name>{therapistName}</Name> is outside office hours. This is an automatic reply, not a message from{" "}
          <Name>{therapistName}</Name>.
        </p>
      )}
      {entry.nextOpenAt !== null ? (
        <p>
          Next available: <strong>{whenLocal(entry.nextOpenAt)}</strong> (your time). Usually replies{" "}
          {replyWithin(entry.typicalReplyHours)}.
        </p>
      ) : (
        <p>Usually replies {replyWithin(entry.typicalReplyHours)} once back.</p>
      )}
      {entry.awayText ? (
        <blockquote className="auto-reply__note">
          <p>{entry.awayText}</p>
        </blockquote>
      ) : null}
      <LocalCrisisLines onGetHelp={onGetHelp} />
    </article>
  );
}
