import type { AppointmentSettings } from "@hearth/protocol";
import { useEffect, useState } from "react";
import { ActionForm, describeError } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

const LEADS = [
  { minutes: 24 * 60, label: "1 day before" },
  { minutes: 60, label: "1 hour before" },
  { minutes: 15, label: "15 minutes before" },
] as const;

/**
 * Settings › Notifications › Sessions: when reminders come and how (push, email), whether they
 * say the time, and a private calendar link (an `.ics` feed) that can be renewed or turned off.
 */
export function SessionsSection({ session }: { session: HearthSession }) {
  const [settings, setSettings] = useState<AppointmentSettings | undefined>();
  const [feedActive, setFeedActive] = useState(false);
  const [feedUrl, setFeedUrl] = useState("");
  const [feedMessage, setFeedMessage] = useState("");
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    Promise.all([session.appointments.settings(), session.appointments.feedActive()])
      .then(([s, active]) => {
        if (!live) return;
        setSettings(s);
        setFeedActive(active);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [session]);

  const save = async (data: FormData) => {
    const next: AppointmentSettings = {
      reminderMinutes: LEADS.filter((l) => data.get(`lead-${l.minutes}`) === "on").map((l) => l.minutes),
      push: data.get("remind-push") === "on",
      email: data.get("remind-email") === "on",
      showTime: data.get("remind-time") === "on",
      feedNames: data.get("feed-names") === "on",
    };
    setSettings(await session.appointments.updateSettings(next));
    return "Saved.";
  };
  const feed = async (what: "rotate" | "revoke") => {
    setFeedMessage("");
    try {
      if (what === "rotate") {
        setFeedUrl(await session.appointments.rotateFeed());
        setFeedActive(true);
        setFeedMessage("A new link is ready. Any older link has stopped working.");
      } else {
        await session.appointments.revokeFeed();
        setFeedUrl("");
        setFeedActive(false);
        setFeedMessage("The calendar link is off.");
      }
    } catch (err) {
      setFeedMessage(describeError(err));
    }
  };

  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Session reminders</h2>
      <p className="quiet">
        Reminders say only “Reminder from Hearth” unless you choose to see the time. They never name anyone.
      </p>
      {failed ? <p role="status">Session settings could not be loaded. Try again later.</p> : null}
      {settings ? (
        <ActionForm label="Session reminders" submitLabel="Save reminders" busyLabel="Saving…" action={save}>
          <fieldset className="field">
            <legend>Remind me</legend>
            {[...LEADS].map((l) => (
              <label key={l.minutes} className="check">
                <input
                  type="checkbox"
                  name={`lead-${l.minutes}`}
                  defaultChecked={settings.reminderMinutes.includes(l.minutes)}
                />{" "}
                {l.label}
              </label>
            ))}
          </fieldset>
          <fieldset className="field">
            <legend>How</legend>
            <label className="check">
              <input type="checkbox" name="remind-push" defaultChecked={settings.push} /> On devices with
              notifications on
            </label>
            <label className="check">
              <input type="checkbox" name="remind-email" defaultChecked={settings.email} /> By email (to the
              address below)
            </label>
            <label className="check">
              <input type="checkbox" name="remind-time" defaultChecked={settings.showTime} /> Show the
              session's time in reminders
            </label>
            <label className="check">
              <input type="checkbox" name="feed-names" defaultChecked={settings.feedNames} /> Show names in my
              calendar link
            </label>
          </fieldset>
        </ActionForm>
      ) : null}
      <h3>Calendar link</h3>
      <p className="quiet">
        A private link your calendar app can subscribe to. Anyone with the link sees your session times, so
        keep it to yourself; make a new one if it got out.
      </p>
      {feedUrl ? (
        <div className="field">
          <label htmlFor="feed-url">Your calendar link (shown once)</label>
          <input
            id="feed-url"
            type="text"
            readOnly
            value={feedUrl}
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      ) : null}
      <div className="form__actions">
        <button type="button" className="button button--quiet" onClick={() => feed("rotate")}>
          {feedActive ? "Make a new calendar link" : "Make a calendar link"}
        </button>
        {feedActive ? (
          <button type="button" className="button button--quiet" onClick={() => feed("revoke")}>
            Turn the calendar link off
          </button>
        ) : null}
      </div>
      <p className="form__status" role="status">
        {feedMessage}
      </p>
    </section>
  );
}
