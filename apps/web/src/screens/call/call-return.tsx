import { inCall } from "@hearth/client/calls";
import { useEffect, useRef } from "react";
import { Link } from "../../components/link.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { useCall } from "./use-call.ts";

/**
 * While a call goes on and its conversation is not on screen: a way back to it, and the other
 * side's sound keeps playing (moving around the app never drops the call).
 */
export function CallReturn({
  session,
  currentId,
}: {
  session: HearthSession;
  currentId: string | undefined;
}) {
  const call = useCall(session);
  const s = call.state;
  const audio = useRef<HTMLAudioElement>(null);
  const away = inCall(s) && s.phase !== "ringing" && s.conversationId !== currentId;
  useEffect(() => {
    const a = audio.current;
    if (a) a.srcObject = away ? ((call.remote as MediaStream | undefined) ?? null) : null;
  }, [away, call.remote]);
  if (!away || !s.conversationId) return null;
  return (
    <div className="call-return">
      {/* biome-ignore lint/a11y/useMediaCaption: the other side's live voice; there is nothing to caption. */}
      <audio ref={audio} autoPlay />
      <Link to={`/conversations/${s.conversationId}`} className="action action--primary">
        Return to the call
      </Link>
    </div>
  );
}
