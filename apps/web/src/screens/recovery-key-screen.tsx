import "./recovery-key-screen.css";
import { type FormEvent, useEffect, useId, useState } from "react";
import { Page } from "../components/page.tsx";
import { SignInName } from "../components/sign-in-name.tsx";
import { useLiveSession } from "../session/session-context.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

/** The recovery key in groups, easier to copy by hand. */
function grouped(key: string): string {
  return key.includes("-") || key.includes(" ") ? key : (key.match(/.{1,4}/g) ?? [key]).join(" ");
}

/** The text of the downloaded file: what it is, the sign-in name, the key, and how to use it. */
function keyFile(key: string, login: string | undefined): string {
  return [
    "Hearth recovery key",
    "",
    `Hearth address: ${location.origin}`,
    ...(login ? [`Sign-in name:   ${login}`] : []),
    `Recovery key:   ${grouped(key)}`,
    "",
    "Keep this somewhere private. With your password, it brings back your messages",
    "on a new phone or computer if you no longer have this one.",
    "Anyone who has it and your password can read your messages.",
    "",
  ].join("\n");
}

/**
 * After sign-up: the recovery key, as a step of its own. It is the only way to read past messages
 * on a new device when no other device is at hand, so nothing else of Hearth opens (and a reload
 * shows it again) until the person says it is saved: copied, downloaded as a .txt, or printed.
 * The sign-in name is shown here too: the person needs both on a new device.
 */
export function RecoveryKeyScreen({
  session: s,
  recoveryKey,
}: {
  session: HearthSession;
  recoveryKey: string;
}) {
  const session = useLiveSession(s);
  const [saved, setSaved] = useState(false);
  const [status, setStatus] = useState("");
  const checkId = useId();
  const login = session.me?.login;

  // Leaving the page (closing the tab, typing another address) asks first while unsaved.
  useEffect(() => {
    if (saved) return;
    const ask = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [saved]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(recoveryKey);
      setStatus("Recovery key copied. Paste it somewhere safe, such as a password manager.");
    } catch {
      setStatus("Select the key and copy it, or write it down.");
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([keyFile(recoveryKey, login)], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "hearth-recovery-key.txt";
    document.body.append(a);
    a.click();
    a.remove();
    // Revoked after the click has been handled (the download has its own copy by then).
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setStatus("Downloaded as hearth-recovery-key.txt. Move it somewhere private, off shared folders.");
  };
  const go = (e: FormEvent) => {
    e.preventDefault();
    if (!saved) {
      setStatus("Please tick the box once the key is somewhere safe.");
      return;
    }
    session.setup.acknowledgeRecoveryKey();
  };
  return (
    <Page title="Save your recovery key">
      <p className="lead">
        Your messages are end-to-end encrypted: only the people in a conversation can read them. If you lose
        this device, this key lets you read your past messages on a new one.
      </p>
      <section className="card recovery-sheet" aria-labelledby="recovery-title">
        <h2 id="recovery-title">Your recovery key</h2>
        <p className="recovery-key" data-testid="recovery-key">
          {grouped(recoveryKey)}
        </p>
        <p>
          Your sign-in name: <SignInName login={login} testId="recovery-sign-in-name" />
        </p>
        <div className="form__actions recovery-sheet__actions">
          <button type="button" className="button button--quiet" onClick={copy}>
            Copy key
          </button>
          <button type="button" className="button button--quiet" onClick={download}>
            Download as a file
          </button>
          <button type="button" className="button button--quiet" onClick={() => window.print()}>
            Print
          </button>
        </div>
        <p className="quiet recovery-sheet__advice">
          Keep it in a password manager, or on paper somewhere private. You can show it again later in
          Settings › Security on this device, but nobody at the practice can recover it for you.
        </p>
      </section>
      <section className="card" aria-label="Confirm">
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
