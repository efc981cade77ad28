import { useState } from "react";
import { ActionForm, Field, text } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * An existing device sends the keys to a new one (the new device shows a code). Technical and
 * needed rarely, so it stays folded away until someone is actually setting up a new device.
 */
export function AddDevice({ session }: { session: HearthSession }) {
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
      setStatus("Sent. Check that your new device shows the same code; if it doesn't, sign it out above.");
    } catch {
      setStatus("That didn't work. Start again on the new device.");
    }
    setPending(undefined);
  };
  return (
    <details className="card disclosure">
      <summary>
        <h2 id="add-device-title">Add a new device</h2>
        <span className="quiet">Bring your messages to a new phone or computer.</span>
      </summary>
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
    </details>
  );
}
