import type { QuietHoursSettings } from "@hearth/protocol";
import { useEffect, useState } from "react";
import { contactNames, forgetPushNames, keepPushNames } from "../../push/push-names.ts";
import { disablePush, enablePush, type PushState, readPushState } from "../../push/push-subscription.ts";
import { inQuietHours } from "../../push/quiet-now.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { Toggle } from "./toggle.tsx";

/** What each state means for this device, in a sentence. */
export const PUSH_STATE_TEXT: Record<PushState["kind"], string> = {
  on: "This device will be notified of new messages, even when Hearth is closed.",
  off: "This device is not subscribed: it won't be notified while Hearth is closed.",
  blocked: "This device won't be notified: notifications are blocked for Hearth in this browser's settings.",
  unsupported:
    "This device can't be notified while Hearth is closed: this browser has no Web Push here (on an iPhone or iPad, add Hearth to the Home Screen first).",
};

/**
 * Settings › Notifications, the part for a closed Hearth (Web Push): whether this device will be
 * notified and, if not, why; a switch to subscribe or not; and the choice to see who wrote.
 */
export function PushStatus({ session }: { session: HearthSession }) {
  const [state, setState] = useState<PushState | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [quiet, setQuiet] = useState<QuietHoursSettings | null>(null);
  useEffect(() => {
    let live = true;
    session.api
      .call("notificationSettings")
      .then((s) => live && setQuiet(s.quietHours))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [session]);
  useEffect(() => {
    let live = true;
    readPushState(session.api)
      .then((s) => live && setState(s))
      .catch(() => live && setState({ kind: "off" }));
    return () => {
      live = false;
    };
  }, [session]);

  // The names a notification may show live on this device only while "Show who wrote" is on.
  const showNames = state?.kind === "on" && state.showSender;
  useEffect(() => {
    if (state === undefined) return;
    void (showNames ? keepPushNames(contactNames(session)) : forgetPushNames()).catch(() => undefined);
  }, [state, showNames, session]);

  const run = async (fn: () => Promise<PushState>) => {
    setBusy(true);
    setError("");
    try {
      setState(await fn());
    } catch {
      setError("That didn't work. Check the connection and try again.");
    } finally {
      setBusy(false);
    }
  };
  const on = state?.kind === "on";
  const canChange = state !== undefined && state.kind !== "unsupported" && state.kind !== "blocked" && !busy;
  return (
    <div className="push-status">
      <h3>When Hearth is closed</h3>
      <p role="status" data-push-state={state?.kind ?? "checking"}>
        {state ? PUSH_STATE_TEXT[state.kind] : "Checking this device…"}
      </p>
      {state?.kind === "on" && quiet ? (
        <p data-testid="push-quiet">
          {inQuietHours(quiet, Date.now())
            ? `Your quiet hours are on now: notifications wait until ${quiet.end} (${quiet.timeZone}).`
            : `Not during your quiet hours (${quiet.start}–${quiet.end}, ${quiet.timeZone}): what arrives then is notified when they end.`}
        </p>
      ) : null}
      {canChange ? (
        <>
          <Toggle
            label="Notify this device when Hearth is closed"
            hint="Says only “New message in Hearth”. The push service that carries it (Google, Mozilla, Apple or Microsoft) sees that something arrived, never what or from whom."
            checked={on}
            onChange={(v) => void run(() => (v ? enablePush(session.api, false) : disablePush(session.api)))}
          />
          {on ? (
            <Toggle
              label="Show who wrote"
              hint="Adds the sender's name on this device, also on a locked screen. The message itself is never shown."
              checked={state.kind === "on" && state.showSender}
              onChange={(v) => void run(() => enablePush(session.api, v))}
            />
          ) : null}
        </>
      ) : null}
      {error ? (
        <p className="form__status" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
