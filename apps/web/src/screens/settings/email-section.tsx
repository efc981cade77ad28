import type { NotificationSettings } from "@hearth/protocol";
import { useEffect, useState } from "react";
import { ActionForm, Field, text } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

const DELAYS = [15, 30, 60, 120, 240] as const;

/** This browser's time zone, for quiet hours (the server computes them in it, daylight saving included). */
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/**
 * Settings › Notifications › Email: an address for a content-free email when a message waits unread
 * on all my devices, after how long, quiet hours, and (staff only) one daily digest instead.
 */
export function EmailSection({ session }: { session: HearthSession }) {
  const [settings, setSettings] = useState<NotificationSettings | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    session.api
      .call("notificationSettings")
      .then((s) => live && setSettings(s))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [session]);
  const staff = session.me?.role === "therapist" || session.me?.role === "admin";

  const save = async (data: FormData) => {
    const email = text(data, "notify-email");
    const quiet = data.get("quiet-on") === "on";
    const next: NotificationSettings = {
      email: email === "" ? null : email,
      emailDelayMinutes: Number(data.get("notify-delay") ?? 30),
      emailDigest: staff && data.get("notify-digest") === "on",
      quietHours: quiet
        ? { start: text(data, "quiet-start"), end: text(data, "quiet-end"), timeZone: localZone() }
        : null,
    };
    setSettings(await session.api.call("updateNotificationSettings", { body: next }));
    return email === "" ? "Saved. No emails will be sent." : "Saved.";
  };

  return (
    <section className="card" aria-labelledby="email-title">
      <h2 id="email-title">Email when a message waits</h2>
      <p className="quiet">
        If a message stays unread on all your devices, Hearth can send one short email: “You have a new secure
        message in Hearth”. It never says who wrote or what.
      </p>
      {failed ? <p role="status">Email settings could not be loaded. Try again later.</p> : null}
      {settings ? (
        <ActionForm
          label="Email notifications"
          submitLabel="Save email settings"
          busyLabel="Saving…"
          action={save}
        >
          <Field
            id="notify-email"
            label="Email address"
            type="email"
            autoComplete="email"
            hint="Leave empty for no emails. Every email has a link to stop them."
            maxLength={254}
            defaultValue={settings.email ?? ""}
          />
          <div className="field">
            <label htmlFor="notify-delay">Send after</label>
            <select id="notify-delay" name="notify-delay" defaultValue={String(settings.emailDelayMinutes)}>
              {[...new Set([...DELAYS, settings.emailDelayMinutes])]
                .sort((a, b) => a - b)
                .map((m) => (
                  <option key={m} value={m}>
                    {m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? "" : "s"}`} unread
                  </option>
                ))}
            </select>
          </div>
          {staff ? (
            <div className="field">
              <label>
                <input type="checkbox" name="notify-digest" defaultChecked={settings.emailDigest} /> One daily
                email at 08:00 instead
              </label>
            </div>
          ) : null}
          <fieldset className="field">
            <legend>Quiet hours</legend>
            <label>
              <input type="checkbox" name="quiet-on" defaultChecked={settings.quietHours !== null} /> No
              emails or push notifications between
            </label>{" "}
            <label>
              <span className="visually-hidden">Quiet hours start</span>
              <input type="time" name="quiet-start" defaultValue={settings.quietHours?.start ?? "22:00"} />
            </label>{" "}
            and{" "}
            <label>
              <span className="visually-hidden">Quiet hours end</span>
              <input type="time" name="quiet-end" defaultValue={settings.quietHours?.end ?? "07:00"} />
            </label>
            <p className="field__hint">Your time ({settings.quietHours?.timeZone ?? localZone()}).</p>
          </fieldset>
        </ActionForm>
      ) : failed ? null : (
        <p className="quiet">Loading…</p>
      )}
    </section>
  );
}
