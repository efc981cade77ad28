import { useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * The recovery key again, on request, behind a question: anyone who sees it can read every
 * message, so it is shown only when the person asks and hidden again with one tap.
 */
export function RecoveryKeyCard({ session }: { session: HearthSession }) {
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
