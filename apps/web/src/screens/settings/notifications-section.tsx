import { useState } from "react";
import type { HearthSession } from "../../state/hearth-session.ts";
import { PushStatus } from "./push-status.tsx";
import { Toggle } from "./toggle.tsx";

/**
 * Settings › Notifications. Today: a content-free notification while Hearth is open in the
 * background (off until asked for; the browser's permission is requested when turned on), and
 * Web Push for a closed Hearth ({@link PushStatus}).
 */
export function NotificationsSection({ session }: { session: HearthSession }) {
  const [status, setStatus] = useState("");
  const supported = typeof Notification !== "undefined";
  const change = async (on: boolean) => {
    setStatus("");
    if (!on) {
      session.setDisplay({ ...session.display, notify: false });
      return;
    }
    if (!supported) {
      setStatus("This browser can't show notifications.");
      return;
    }
    const permission =
      Notification.permission === "default"
        ? await Notification.requestPermission()
        : Notification.permission;
    if (permission !== "granted") {
      setStatus("Notifications are blocked for Hearth in this browser's settings.");
      return;
    }
    session.setDisplay({ ...session.display, notify: true });
  };
  return (
    <section className="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <Toggle
        label="Notify me of new messages"
        hint="While Hearth is open in the background. A notification says only “New message”: no name, no text, on a locked screen too."
        checked={session.display.notify && supported && Notification.permission === "granted"}
        onChange={(v) => void change(v)}
      />
      {status ? (
        <p className="form__status" role="status">
          {status}
        </p>
      ) : null}
      <PushStatus session={session} />
    </section>
  );
}
