import type { CallState, MediaStreamLike } from "@hearth/client";
import { useEffect, useState } from "react";
import type { HearthSession } from "../../state/hearth-session.ts";

/** The call as a screen shows it: its state, the last failure message, the streams. */
export interface CallView {
  state: CallState;
  message: string | undefined;
  local: MediaStreamLike | undefined;
  /** The first other device's stream (a 1:1 call's only one). */
  remote: unknown;
  /** Every other device's stream that arrived (a group call has several). */
  remotes: { userId: string; deviceId: string; stream: unknown }[];
  /** A link that was connected lost its path and is restarting ICE (the call goes on). */
  reconnecting: boolean;
}

/** Follows the session's call (state, streams, failure message) and re-renders on each change. */
export function useCall(session: HearthSession): CallView {
  const calls = session.client.calls;
  const [, setTick] = useState(0);
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => {
    const bump = () => setTick((n) => n + 1);
    const offs = [
      calls.on("state", (e) => {
        setMessage(e.message);
        bump();
      }),
      calls.on("localStream", bump),
      calls.on("remoteStream", bump),
      calls.on("participants", bump),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [calls]);
  const remotes = calls.participants
    .filter((p) => p.remoteStream !== undefined)
    .map((p) => ({ userId: p.userId, deviceId: p.deviceId, stream: p.remoteStream }));
  return {
    state: calls.state,
    message,
    local: calls.localStream,
    remote: calls.remoteStream,
    remotes,
    reconnecting: calls.participants.some((p) => p.reconnecting),
  };
}

/** Calls whose ended screen the user closed (per page load). */
const closed = new Set<string>();

/** The user closed the ended call's screen. */
export function closeCallScreen(callId: string | undefined): void {
  if (callId) closed.add(callId);
}

/** Whether a conversation's screen shows the call (answered or ours, not yet closed after it ended). */
export function showsCall(v: CallView, conversationId: string): boolean {
  const s = v.state;
  return (
    s.conversationId === conversationId &&
    s.phase !== "idle" &&
    s.phase !== "ringing" &&
    !(s.phase === "ended" && s.callId !== undefined && closed.has(s.callId)) &&
    // An incoming call that ended before it was answered (missed, declined, taken elsewhere) has no screen.
    !(
      s.phase === "ended" &&
      s.direction === "incoming" &&
      s.reason !== "hangup" &&
      s.reason !== "remote_hangup" &&
      s.reason !== "failed"
    )
  );
}
