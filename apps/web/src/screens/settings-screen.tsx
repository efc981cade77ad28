import "./settings-screen.css";
import type { DeviceSummary } from "@hearth/protocol";
import { type ReactNode, useCallback, useEffect, useId, useState } from "react";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { ActionForm, describeError, Field, text } from "../components/form.tsx";
import { Name } from "../components/names.tsx";
import { Page } from "../components/page.tsx";
import { SignOutButton } from "../components/sign-out-button.tsx";
import { ThemeSelect } from "../components/theme-select.tsx";
import { lastActivity } from "../format/time.ts";
import { QUICK_EXIT_URL } from "../quick-exit/quick-exit.ts";
import { LOCK_CHOICES, type LockMinutes } from "../session/app-lock.ts";
import { useLiveSession } from "../session/session-context.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

function ProfileCard({ session }: { session: HearthSession }) {
  const save = async (data: FormData) => {
    const displayName = text(data, "display-name");
    session.me = await session.api.updateSettings({ displayName });
    void session.refreshConversations();
    return "Saved.";
  };
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Your name</h2>
      {session.me ? (
        <ActionForm label="Your name" submitLabel="Save name" busyLabel="Saving…" action={save}>
          <Field
            id="display-name"
            label="Name to show"
            hint="What the people you talk with see. A nickname is fine."
            required
            maxLength={64}
            defaultValue={session.me.displayName}
          />
        </ActionForm>
      ) : (
        <p className="quiet">Loading…</p>
      )}
      {session.me ? <p className="quiet">You sign in as {session.me.login}.</p> : null}
    </section>
  );
}

function Toggle({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="toggle">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
        aria-describedby={`${id}-hint`}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      </div>
    </div>
  );
}

function PrivacyCard({ session }: { session: HearthSession }) {
  const p = session.privacy;
  return (
    <section className="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <Toggle
        label="Send read receipts"
        hint="Others see when you have read their messages. Off: they see only that it was delivered."
        checked={p.sendReadReceipts}
        onChange={(v) => session.setPrivacy({ ...p, sendReadReceipts: v })}
      />
      <Toggle
        label="Show when I'm typing"
        hint="Others see “typing…” while you write."
        checked={p.sendTyping}
        onChange={(v) => session.setPrivacy({ ...p, sendTyping: v })}
      />
      <Toggle
        label="Show when others have read"
        hint="“Read” on your messages. Off: you see only that they were delivered."
        checked={session.display.showReadReceipts}
        onChange={(v) => session.setDisplay({ ...session.display, showReadReceipts: v })}
      />
      <Toggle
        label="Show when others are typing"
        hint="“… is typing” under the conversation."
        checked={session.display.showTyping}
        onChange={(v) => session.setDisplay({ ...session.display, showTyping: v })}
      />
      <p className="quiet">These choices apply to this device.</p>
    </section>
  );
}

/** The screen lock after inactivity: when, and "Lock now". */
function LockCard({ session }: { session: HearthSession }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby="lock-title">
      <h2 id="lock-title">Screen lock</h2>
      <p id={`${id}-hint`}>
        After a while without use, Hearth hides your conversations until you enter your password. Useful on a
        shared or work computer.
      </p>
      <div className="field field--inline">
        <label htmlFor={id}>Lock Hearth</label>
        <select
          id={id}
          aria-describedby={`${id}-hint`}
          value={session.lock.minutes}
          onChange={(e) => session.lock.setMinutes(Number(e.currentTarget.value) as LockMinutes)}
        >
          {LOCK_CHOICES.map((m) => (
            <option key={m} value={m}>
              {m === 0 ? "Never" : `After ${m} minutes without use`}
            </option>
          ))}
        </select>
      </div>
      <div className="form__actions lock-card__actions">
        <button type="button" className="button button--quiet" onClick={() => session.lock.lock()}>
          Lock now
        </button>
      </div>
    </section>
  );
}

/** Notifications: off until asked for; the browser's permission is requested when turned on. */
function NotificationsCard({ session }: { session: HearthSession }) {
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
    </section>
  );
}

/**
 * The recovery key again, on request, behind a question: anyone who sees it can read every
 * message, so it is shown only when the person asks and hidden again with one tap.
 */
function RecoveryKeyCard({ session }: { session: HearthSession }) {
  const [asking, setAsking] = useState(false);
  const [key, setKey] = useState<string | undefined>();
  const [status, setStatus] = useState("");
  const show = async () => {
    setAsking(false);
    try {
      setKey(await session.client.crypto.recoveryKey());
    } catch {
      setStatus("The recovery key isn't available on this device.");
    }
  };
  return (
    <section className="card" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Recovery key</h2>
      <p>
        It brings your messages back if you lose every device. Keep it somewhere only you can reach: anyone
        who has it can read your messages.
      </p>
      {key ? (
        <>
          <p className="recovery-key" data-testid="settings-recovery-key">
            {key}
          </p>
          <button type="button" className="button button--quiet" onClick={() => setKey(undefined)}>
            Hide recovery key
          </button>
        </>
      ) : (
        <button type="button" className="button button--quiet" onClick={() => setAsking(true)}>
          Show my recovery key
        </button>
      )}
      {status ? (
        <p className="form__status" role="status">
          {status}
        </p>
      ) : null}
      <ConfirmDialog
        open={asking}
        title="Show your recovery key?"
        body="Make sure nobody can see your screen, and that you aren't sharing it on a call."
        confirmLabel="Show it"
        cancelLabel="Not now"
        onCancel={() => setAsking(false)}
        onConfirm={() => void show()}
      />
    </section>
  );
}

function DevicesCard({ session }: { session: HearthSession }) {
  const [devices, setDevices] = useState<DeviceSummary[] | undefined>();
  const [status, setStatus] = useState<ReactNode>("");
  const [renaming, setRenaming] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      setDevices(await session.api.devices());
    } catch (err) {
      setStatus(describeError(err));
    }
  }, [session]);
  useEffect(() => {
    void load();
  }, [load]);
  const revoke = async (d: DeviceSummary) => {
    try {
      await session.api.revokeDevice(d.deviceId);
      setStatus(
        <>
          <Name>{d.name}</Name> is signed out.
        </>,
      );
      await load();
    } catch (err) {
      setStatus(describeError(err));
    }
  };
  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Devices</h2>
      <p>Where you're signed in. Sign out anything you don't recognise or no longer use.</p>
      {devices ? (
        <ul className="device-list">
          {[...devices]
            .sort((a, b) => Number(b.current) - Number(a.current))
            .map((d) => (
              <li key={d.deviceId} className="device-list__item">
                {renaming === d.deviceId ? (
                  <ActionForm
                    label={`Rename ${d.name}`}
                    submitLabel="Save device name"
                    busyLabel="Saving…"
                    action={async (data) => {
                      const name = text(data, "device-name");
                      await session.api.renameDevice(d.deviceId, name);
                      setRenaming(undefined);
                      setStatus(
                        <>
                          Renamed to <Name>{name}</Name>.
                        </>,
                      );
                      await load();
                    }}
                  >
                    <Field
                      id="device-name"
                      label="Device name"
                      required
                      maxLength={64}
                      defaultValue={d.name}
                    />
                  </ActionForm>
                ) : (
                  <div>
                    <p className="device-list__name">
                      <Name>{d.name}</Name>
                      {d.current ? <span className="tag">This device</span> : null}
                    </p>
                    <p className="quiet">Last active: {lastActivity(d.lastSeenAt)}</p>
                  </div>
                )}
                <div className="device-list__actions">
                  <button
                    type="button"
                    className="button button--quiet button--small"
                    onClick={() => setRenaming(renaming === d.deviceId ? undefined : d.deviceId)}
                  >
                    {renaming === d.deviceId ? "Cancel" : "Rename"}
                    <span className="visually-hidden">
                      {" "}
                      <Name>{d.name}</Name>
                    </span>
                  </button>
                  {d.current ? null : (
                    <button
                      type="button"
                      className="button button--quiet button--small"
                      onClick={() => revoke(d)}
                    >
                      Sign out
                      <span className="visually-hidden">
                        {" "}
                        <Name>{d.name}</Name>
                      </span>
                    </button>
                  )}
                </div>
              </li>
            ))}
        </ul>
      ) : (
        <p className="quiet">Loading…</p>
      )}
      <p className="form__status" role="status">
        {status}
      </p>
    </section>
  );
}

/** An existing device sends the keys to a new one (the new device shows a code). */
function AddDeviceCard({ session }: { session: HearthSession }) {
  const [pending, setPending] = useState<{ shortCode: string; confirm(): Promise<void> } | undefined>();
  const [status, setStatus] = useState("");
  const check = async (data: FormData) => {
    try {
      setPending(await session.client.crypto.approveDeviceTransfer(text(data, "transfer-code")));
    } catch {
      return "That code didn't work. Check that you copied all of it, or start again on the new device.";
    }
    return undefined;
  };
  const confirm = async () => {
    if (!pending) return;
    try {
      await pending.confirm();
      setStatus("Sent. Check that your new device shows the same code; if it doesn't, sign it out below.");
    } catch {
      setStatus("That didn't work. Start again on the new device.");
    }
    setPending(undefined);
  };
  return (
    <section className="card" aria-labelledby="add-device-title">
      <h2 id="add-device-title">Add a new device</h2>
      {pending ? (
        <>
          <p>
            The code for this transfer is{" "}
            <strong data-testid="approve-short-code">{pending.shortCode}</strong>. Send your keys only if you
            started this on your own new device; it will show the same code.
          </p>
          <div className="form__actions">
            <button type="button" className="button button--primary" onClick={confirm}>
              Send my keys
            </button>
            <button type="button" className="button button--quiet" onClick={() => setPending(undefined)}>
              Cancel
            </button>
          </div>
        </>
      ) : (
        <ActionForm label="Add a new device" submitLabel="Continue" busyLabel="Checking…" action={check}>
          <Field
            id="transfer-code"
            label="Code from the new device"
            hint="Sign in on the new device and choose “Use another device”. Paste the code it shows."
            autoComplete="off"
            required
          />
        </ActionForm>
      )}
      <p className="form__status" role="status">
        {status}
      </p>
    </section>
  );
}

/** Settings: name, privacy, devices, appearance, leaving quickly, sign out. */
export function SettingsScreen({ session: s }: { session: HearthSession }) {
  const session = useLiveSession(s);
  const exitHost = new URL(QUICK_EXIT_URL).hostname;
  return (
    <Page title="Settings">
      <ProfileCard session={session} />
      <PrivacyCard session={session} />
      <DevicesCard session={session} />
      <AddDeviceCard session={session} />
      <section className="card" aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance</h2>
        <ThemeSelect label="Theme" />
      </section>
      <section className="card" aria-labelledby="exit-title">
        <h2 id="exit-title">Leaving quickly</h2>
        <p>
          Quick exit, or pressing <kbd>Esc</kbd> twice, opens a weather page ({exitHost}) in place of Hearth.
          The browser's Back button won't bring Hearth back.
        </p>
      </section>
      <NotificationsCard session={session} />
      <LockCard session={session} />
      <RecoveryKeyCard session={session} />
      <section className="card" aria-labelledby="sign-out-title">
        <h2 id="sign-out-title">Sign out</h2>
        <p>
          Signing out removes your messages from this device. They stay safe on the server for your next
          sign-in.
        </p>
        <SignOutButton />
      </section>
    </Page>
  );
}
