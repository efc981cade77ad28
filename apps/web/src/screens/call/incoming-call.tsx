import "./call.css";
import { useEffect, useRef } from "react";
import { navigate } from "../../router/router.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { callStatusText } from "./call-text.ts";
import { useCall } from "./use-call.ts";

/**
 * A call ringing on this device, on any screen: who calls, Accept and Decline. Not a modal: crisis
 * help and quick exit stay one tap away. Focus moves to Accept when it starts ringing.
 */
export function IncomingCall({ session }: { session: HearthSession }) {
  const call = useCall(session);
  const s = call.state;
  const accept = useRef<HTMLButtonElement>(null);
  const ringing = s.phase === "ringing";
  useEffect(() => {
    if (ringing) accept.current?.focus();
  }, [ringing]);
  if (!ringing || !s.conversationId) return null;
  const name = s.peer ? session.nameOf(s.conversationId, s.peer.userId) : "Someone";
  return (
    <section className="incoming-call" aria-label="Incoming call" data-testid="incoming-call">
      <p className="incoming-call__text" role="status" aria-live="assertive">
        {callStatusText(s, name)}
      </p>
      <div className="incoming-call__actions">
        <button
          ref={accept}
          type="button"
          className="button button--primary"
          onClick={() => {
            navigate(`/conversations/${s.conversationId}`);
            void session.client.calls.accept();
          }}
        >
          Accept
        </button>
        <button
          type="button"
          className="button button--quiet"
          onClick={() => void session.client.calls.decline()}
        >
          Decline
        </button>
      </div>
    </section>
  );
}
