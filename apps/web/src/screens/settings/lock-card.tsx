import { useId, useState } from "react";
import { ActionForm, Field } from "../../components/form.tsx";
import { LOCK_CHOICES, type LockMinutes } from "../../session/app-lock.ts";
import { clearPin, hasPin, PIN_PATTERN, setPin } from "../../session/lock-pin.ts";
import type { HearthSession } from "../../state/hearth-session.ts";

/** A PIN for unlocking on this device: set, change or remove. */
function PinChoice() {
  const [pinSet, setPinSet] = useState(hasPin);
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState("");
  const save = async (data: FormData) => {
    const pin = String(data.get("new-pin") ?? "");
    if (!PIN_PATTERN.test(pin)) return "A PIN is 4 to 8 digits.";
    if (pin !== String(data.get("repeat-pin") ?? "")) return "The two PINs aren't the same yet.";
    await setPin(pin);
    setPinSet(true);
    setEditing(false);
    setStatus("PIN saved. It unlocks Hearth on this device.");
    return undefined;
  };
  return (
    <div className="lock-card__pin">
      <h3>PIN for this device</h3>
      <p className="field__hint">
        4 to 8 digits to unlock Hearth here instead of your password. After 5 wrong tries, only the password
        works. The PIN stays on this device.
      </p>
      {editing ? (
        <ActionForm label="Set a PIN" submitLabel="Save PIN" busyLabel="Saving…" action={save}>
          <Field
            id="new-pin"
            label="New PIN"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            required
            minLength={4}
            maxLength={8}
            pattern="[0-9]*"
          />
          <Field
            id="repeat-pin"
            label="New PIN again"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            required
            minLength={4}
            maxLength={8}
            pattern="[0-9]*"
          />
        </ActionForm>
      ) : null}
      <div className="form__actions">
        {editing ? (
          <button type="button" className="button button--quiet" onClick={() => setEditing(false)}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              setStatus("");
              setEditing(true);
            }}
          >
            {pinSet ? "Change PIN" : "Set a PIN"}
          </button>
        )}
        {pinSet && !editing ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              clearPin();
              setPinSet(false);
              setStatus("PIN removed. Your password unlocks Hearth.");
            }}
          >
            Remove PIN
          </button>
        ) : null}
      </div>
      <p className="form__status" role="status">
        {status}
      </p>
    </div>
  );
}

/** The screen lock: after how long, a PIN, and "Lock now". */
export function LockCard({ session }: { session: HearthSession }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby="lock-title">
      <h2 id="lock-title">Screen lock</h2>
      <p id={`${id}-hint`}>
        After a while without use, Hearth hides your conversations until you enter your password (or PIN).
        Useful on a shared or work computer.
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
      <PinChoice />
    </section>
  );
}
