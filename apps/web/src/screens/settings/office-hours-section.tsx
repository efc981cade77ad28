import type { OfficeHours } from "@hearth/protocol";
import { useEffect, useState } from "react";
import { ActionForm, text } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const REPLY_HOURS = [4, 12, 24, 48, 72] as const;
const AWAY_TEXT_MAX = 500;

/** This browser's time zone: office hours are kept in it (daylight saving included). */
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** Monday to Friday, 09:00–17:00, a reply within a day: a start a therapist can adjust. */
const STARTER: OfficeHours = {
  timeZone: localZone(),
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
  away: [],
  awayText: null,
  typicalReplyHours: 24,
  autoReply: false,
};

/**
 * Settings › Notifications › Office hours (therapists): the hours patients see in the chat header,
 * one opening per weekday, an away range, the usual reply time, a note of their own, and whether
 * a patient's message outside these hours gets the automatic reply (with crisis lines).
 */
export function OfficeHoursSection({ session }: { session: HearthSession }) {
  const [hours, setHours] = useState<OfficeHours | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    session.api
      .call("myOfficeHours")
      .then((r) => live && setHours(r.hours ?? STARTER))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [session]);

  const save = async (data: FormData) => {
    const weekly: OfficeHours["weekly"] = [];
    DAYS.forEach((_, i) => {
      if (data.get(`oh-day-${i + 1}`) !== "on") return;
      weekly.push({ day: i + 1, start: text(data, `oh-start-${i + 1}`), end: text(data, `oh-end-${i + 1}`) });
    });
    const from = text(data, "oh-away-from");
    const to = text(data, "oh-away-to") || from;
    const note = text(data, "oh-away-text");
    const next: OfficeHours = {
      timeZone: localZone(),
      weekly,
      away: from ? [{ from, to }] : [],
      awayText: note === "" ? null : note,
      typicalReplyHours: Number(data.get("oh-reply") ?? 24),
      autoReply: data.get("oh-auto") === "on",
    };
    setHours((await session.api.call("updateOfficeHours", { body: next })).hours ?? next);
    return "Saved. Your patients see these hours in your conversations.";
  };

  const slot = (day: number) => hours?.weekly.find((s) => s.day === day);
  return (
    <section className="card" aria-labelledby="office-hours-title">
      <h2 id="office-hours-title">Office hours</h2>
      <p className="quiet">
        Your patients see when you are in and when to expect a reply. Outside these hours, a patient's message
        can get one automatic reply — clearly marked as automatic — with crisis lines for where they are.
      </p>
      {failed ? <p role="status">Office hours could not be loaded. Try again later.</p> : null}
      {hours ? (
        <ActionForm label="Office hours" submitLabel="Save office hours" busyLabel="Saving…" action={save}>
          <fieldset className="field office-week">
            <legend>Weekly hours</legend>
            {DAYS.map((name, i) => {
              const s = slot(i + 1);
              return (
                <div key={name} className="office-week__day">
                  <label className="office-week__name">
                    <input type="checkbox" name={`oh-day-${i + 1}`} defaultChecked={s !== undefined} /> {name}
                  </label>
                  <label>
                    <span className="visually-hidden">{name} from</span>
                    <input type="time" name={`oh-start-${i + 1}`} defaultValue={s?.start ?? "09:00"} />
                  </label>
                  <span aria-hidden="true">–</span>
                  <label>
                    <span className="visually-hidden">{name} until</span>
                    <input type="time" name={`oh-end-${i + 1}`} defaultValue={s?.end ?? "17:00"} />
                  </label>
                </div>
              );
            })}
            <p className="field__hint">Your time ({localZone()}).</p>
          </fieldset>
          <fieldset className="field office-form">
            <legend>Away (holidays, leave)</legend>
            <label>
              From <input type="date" name="oh-away-from" defaultValue={hours.away[0]?.from ?? ""} />
            </label>{" "}
            <label>
              until <input type="date" name="oh-away-to" defaultValue={hours.away[0]?.to ?? ""} />
            </label>
          </fieldset>
          <div className="field">
            <label htmlFor="oh-reply">I usually reply</label>
            <select id="oh-reply" name="oh-reply" defaultValue={String(hours.typicalReplyHours)}>
              {[...new Set([...REPLY_HOURS, hours.typicalReplyHours])]
                .sort((a, b) => a - b)
                .map((h) => (
                  <option key={h} value={h}>
                    within {h % 24 === 0 && h >= 48 ? `${h / 24} days` : `${h} hours`}
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="oh-away-text">A note with the automatic reply (optional)</label>
            <p id="oh-away-text-hint" className="field__hint">
              In your own words, up to {AWAY_TEXT_MAX} characters. The server keeps this note as you write it
              (it is not end-to-end encrypted), so write nothing about a patient.
            </p>
            <textarea
              id="oh-away-text"
              name="oh-away-text"
              rows={3}
              maxLength={AWAY_TEXT_MAX}
              aria-describedby="oh-away-text-hint"
              defaultValue={hours.awayText ?? ""}
            />
          </div>
          <div className="field office-form">
            <label>
              <input type="checkbox" name="oh-auto" defaultChecked={hours.autoReply} /> Send an automatic
              reply outside these hours
            </label>
          </div>
        </ActionForm>
      ) : failed ? null : (
        <p className="quiet">Loading…</p>
      )}
    </section>
  );
}
