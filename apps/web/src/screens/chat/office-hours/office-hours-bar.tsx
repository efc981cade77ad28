import type { TherapistHours } from "@hearth/client";
import { Name } from "../../../components/names.tsx";
import { replyWithin, weeklyLines, whenLocal, zoneLabel } from "./office-hours-format.ts";

/**
 * Under the conversation's header: each therapist's office hours and whether they are in now, so a
 * patient knows when to expect a reply. Calm words, no colour alarm; the weekly hours behind a
 * disclosure.
 */
export function OfficeHoursBar({
  therapists,
  nameOf,
}: {
  therapists: readonly TherapistHours[];
  nameOf: (userId: string) => string;
}) {
  const shown = therapists.filter((t) => t.hours.weekly.length > 0);
  if (shown.length === 0) return null;
  return (
    <section className="office-hours" aria-label="Office hours" data-testid="office-hours">
      {shown.map((t) => (
        <div key={t.userId} className="office-hours__one">
          <p className="office-hours__status">
            <span
              className={`office-hours__dot office-hours__dot--${t.status.open ? "in" : "out"}`}
              aria-hidden="true"
            />
            <Name>{nameOf(t.userId)}</Name>{" "}
            {t.status.open ? (
              <>is in office hours now.</>
            ) : (
              <>
                is out of office now
                {t.status.nextOpenAt !== null ? (
                  <>, back {whenLocal(t.status.nextOpenAt)} (your time)</>
                ) : null}
                .
              </>
            )}{" "}
            Usually replies {replyWithin(t.hours.typicalReplyHours)}.
          </p>
          <details className="office-hours__details">
            <summary>
              Office hours<span className="visually-hidden"> of {nameOf(t.userId)}</span>
            </summary>
            <dl className="office-hours__week">
              {weeklyLines(t.hours).map((l) => (
                <div key={l.day}>
                  <dt>{l.day}</dt>
                  <dd>{l.times}</dd>
                </div>
              ))}
            </dl>
            <p className="office-hours__zone">Times are {zoneLabel(t.hours.timeZone)}.</p>
          </details>
        </div>
      ))}
    </section>
  );
}
