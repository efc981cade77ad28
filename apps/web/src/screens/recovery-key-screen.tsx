import { type FormEvent, useId, useState } from "react";
import { Page } from "../components/page.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

/** The recovery key in groups, easier to copy by hand. */
function grouped(key: string): string {
  return key.includes("-") || key.includes(" ") ? key : (key.match(/.{1,4}/g) ?? [key]).join(" ");
}

/**
 * After sign-up: the recovery key, shown once. It is the only way to read past messages on a new
 * device when no other device is at hand.
 */
export function RecoveryKeyScreen({ session, recoveryKey }: { session: HearthSession; recoveryKey: string }) {
  const [saved, setSaved] = useState(false);
  const [status, setStatus] = useState("");
  const checkId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(recoveryKey);
      setStatus("Recovery key copied. Paste it somewhere safe, such as a password manager.");
    } catch {
      setStatus("Select the key and copy it, or write it down.");
    }
  };
  const go = (e: FormEvent) => {
    e.preventDefault();
    if (!saved) {
      setStatus("Please tick the box once the key is somewhere safe.");
      return;
    }
    session.acknowledgeRecoveryKey();
  };
  return (
    <Page title="Save your recovery key">
      <p className="lead">
        Your messages are end-to-end encrypted: only the people in a conversation can read them. If you lose
        this device, this key lets you read your past messages on a new one.
      </p>
      <section className="card" aria-labelledby="recovery-title">
        <h2 id="recovery-title">Your recovery key</h2>
        <p className="recovery-key" data-testid="recovery-key">
          {grouped(recoveryKey)}
        </p>
        <div className="form__actions">
          <button type="button" className="button button--quiet" onClick={copy}>
            Copy key
          </button>
        </div>
        <p className="quiet">
          Keep it in a password manager or written down somewhere private. Hearth can't show it again, and
          nobody at the practice can recover it for you.
        </p>
        <form className="form" aria-label="Continue" onSubmit={go}>
          <div className="toggle">
            <input
              id={checkId}
              type="checkbox"
              checked={saved}
              onChange={(e) => setSaved(e.currentTarget.checked)}
            />
            <label htmlFor={checkId}>I've saved my recovery key</label>
          </div>
          <div className="form__actions">
            <button type="submit" className="button button--primary">
              Continue
            </button>
          </div>
        </form>
        <p className="form__status" role="status">
          {status}
        </p>
      </section>
    </Page>
  );
}
