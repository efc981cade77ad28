import { useState } from "react";
import { ActionForm, Field, text } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { SignOutButton } from "../components/sign-out-button.tsx";
import { useLiveSession } from "../session/session-context.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

function describeRestoreError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "recovery_key_checksum":
    case "recovery_key_malformed":
      return "That doesn't look like a complete recovery key. Check each group of characters and try again.";
    case "wrong_recovery_key":
      return "That recovery key belongs to a different account, or is an older one.";
    case "network_error":
      return "Hearth can't reach the server right now. Check your connection and try again.";
    default:
      return "That didn't work. Please try again.";
  }
}

/**
 * A new device of someone who already has an encryption identity: bring the keys (and with them
 * the message history) from another signed-in device, or from the recovery key.
 */
export function RestoreHistoryScreen({ session: s }: { session: HearthSession }) {
  const session = useLiveSession(s);
  const [transferStatus, setTransferStatus] = useState("");
  const [starting, setStarting] = useState(false);
  const offer = session.setup.transfer;

  const startTransfer = async () => {
    if (starting) return;
    setStarting(true);
    setTransferStatus("");
    try {
      await session.setup.startDeviceTransfer();
    } catch (err) {
      setTransferStatus(describeRestoreError(err));
    } finally {
      setStarting(false);
    }
  };

  const restore = async (data: FormData) => {
    try {
      await session.setup.restoreFromRecoveryKey(text(data, "recovery-key"));
    } catch (err) {
      return describeRestoreError(err);
    }
    return undefined;
  };

  return (
    <Page title="Bring your messages to this device">
      <p className="lead">
        Your messages are end-to-end encrypted, so this new device needs your keys before it can show them.
        Use another device where you're signed in, or your recovery key.
      </p>
      <section className="card" aria-labelledby="transfer-title">
        <h2 id="transfer-title">From another device</h2>
        {offer ? (
          <div className="invite__body">
            <div className="invite__text">
              <p>
                On your other device, open <strong>Settings</strong>, then <strong>Add a new device</strong>,
                and paste this code there. It works once.
              </p>
              <div className="field">
                <label htmlFor="transfer-code">Code for your other device</label>
                <input
                  id="transfer-code"
                  readOnly
                  value={offer.qrPayload}
                  onFocus={(e) => e.currentTarget.select()}
                />
              </div>
              <button
                type="button"
                className="button button--small"
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(offer.qrPayload);
                    setTransferStatus("Code copied.");
                  } catch {
                    (document.getElementById("transfer-code") as HTMLInputElement | null)?.select();
                    setTransferStatus("Select the code and copy it.");
                  }
                }}
              >
                Copy code
              </button>
              {offer.shortCode ? (
                <p className="notice" data-testid="transfer-short-code">
                  Keys received with code <strong>{offer.shortCode}</strong>: it should match your other
                  device.
                </p>
              ) : (
                <p className="quiet">Waiting for your other device…</p>
              )}
            </div>
          </div>
        ) : (
          <button
            type="button"
            className="button button--primary"
            onClick={startTransfer}
            aria-disabled={starting}
          >
            {starting ? "Preparing…" : "Use another device"}
          </button>
        )}
        <p className="form__status" role="status">
          {transferStatus}
        </p>
      </section>
      <section className="card" aria-labelledby="recovery-title">
        <h2 id="recovery-title">With your recovery key</h2>
        <ActionForm
          label="Restore with recovery key"
          submitLabel="Restore"
          busyLabel="Restoring…"
          action={restore}
        >
          <Field
            id="recovery-key"
            label="Recovery key"
            hint="The key you saved when you joined Hearth."
            autoComplete="off"
            required
          />
        </ActionForm>
      </section>
      <section className="card" aria-labelledby="not-now-title">
        <h2 id="not-now-title">Not now</h2>
        <p>
          On a device you'd rather not use, or without your other device or recovery key at hand, sign out.
          Nothing of your account stays here, and your messages stay safe on the server.
        </p>
        <SignOutButton />
      </section>
    </Page>
  );
}
