import { inCall } from "@hearth/client/calls";
import type { ConversationId, UserId } from "@hearth/protocol";
import type { HearthSession } from "../../state/hearth-session.ts";

function PhoneIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M6.6 3.5l2.6 3.4-1.6 2.3a12 12 0 0 0 7.2 7.2l2.3-1.6 3.4 2.6-1.2 2.7c-.4.8-1.2 1.2-2 1.1C10.2 20.4 3.6 13.8 2.8 6.7c-.1-.9.3-1.7 1.1-2z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function CameraIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect x="2.5" y="6" width="13" height="12" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
      <path
        d="M15.5 10.5l6-3.5v10l-6-3.5z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/**
 * Voice and video call buttons for a conversation's header (icons; names for screen readers): a 1:1
 * call, or a group call that rings every other member.
 */
export function StartCallButtons({
  session,
  conversationId,
  peerUserIds,
  peerName,
}: {
  session: HearthSession;
  conversationId: string;
  peerUserIds: readonly string[];
  peerName: string;
}) {
  const calls = session.client.calls;
  const busy = inCall(calls.state);
  const start = (media: "audio" | "video") =>
    void calls
      .start(conversationId as ConversationId, media, peerUserIds as readonly UserId[])
      .catch(() => undefined);
  return (
    <>
      <button
        type="button"
        className="button button--icon button--quiet call-start"
        title={`Voice call with ${peerName}`}
        disabled={busy}
        onClick={() => start("audio")}
      >
        <PhoneIcon />
        <span className="button__label">Voice call</span>
      </button>
      <button
        type="button"
        className="button button--icon button--quiet call-start"
        title={`Video call with ${peerName}`}
        disabled={busy}
        onClick={() => start("video")}
      >
        <CameraIcon />
        <span className="button__label">Video call</span>
      </button>
    </>
  );
}
