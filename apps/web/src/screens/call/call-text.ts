import { CALL_FAILURE_MESSAGES, type CallState } from "@hearth/client/calls";

/**
 * What the call screen says about a call's state (also announced to screen readers); `reconnecting`
 * when a connected link lost its path and is being restored.
 */
export function callStatusText(s: CallState, name: string, message?: string, reconnecting = false): string {
  const kind = s.media === "video" ? "video call" : "voice call";
  switch (s.phase) {
    case "idle":
      return "";
    case "outgoing":
      return `Calling ${name}…`;
    case "ringing":
      return `${name} is calling you (${kind}).`;
    case "connecting":
      return `Connecting the ${kind} with ${name}…`;
    case "connected":
      return reconnecting ? `The connection dropped. Reconnecting with ${name}…` : `Connected with ${name}.`;
    case "ended":
      switch (s.reason) {
        case "declined":
          return s.direction === "outgoing"
            ? `${name} can't take the call right now.`
            : "You declined the call.";
        case "missed":
          return s.direction === "outgoing" ? `${name} didn't answer.` : `You missed a call from ${name}.`;
        case "busy":
          return `${name} is in another call.`;
        case "answered_elsewhere":
          return "The call was answered on another of your devices.";
        case "failed":
          return message ?? (s.failure ? CALL_FAILURE_MESSAGES[s.failure] : "The call could not continue.");
        case "remote_hangup":
          return `${name} left the call.`;
        case "hangup":
          return "You left the call.";
        default:
          return "The call has ended.";
      }
  }
}
