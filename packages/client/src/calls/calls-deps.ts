import type {
  ConversationId,
  DeviceId,
  ServerFrame,
  TurnCredentialsResponse,
  UserId,
} from "@hearth/protocol";
import type { Clock } from "../clock.ts";
import type { CallParticipant } from "./call-mesh.ts";
import type { CallRecord } from "./call-record.ts";
import type { CallState } from "./call-state.ts";
import type { MediaStreamLike, PeerConfig, PeerConnectionLike } from "./peer-link.ts";

/** A sealed or opened call signal, or why not. */
export type Sealed =
  | { ok: true; value: Uint8Array }
  | { ok: false; reason: "not_encrypted" | "signal_unverified" };

/** The platform's WebRTC, injected (`RTCPeerConnection` and `getUserMedia` in a browser). */
export interface CallsRtc {
  createPeerConnection(config: PeerConfig): PeerConnectionLike;
  getUserMedia(constraints: { audio: boolean; video: boolean }): Promise<MediaStreamLike>;
}

/** What {@link Calls} needs from the client. */
export interface CallsDeps {
  clock: Clock;
  /** Sends a request frame and resolves with its answer (`ack` or `error`). */
  request(frame: Record<string, unknown>): Promise<ServerFrame>;
  /** This device, once signed in. */
  me(): { userId: UserId; deviceId: DeviceId } | undefined;
  /** MLS encryption of call signals for the conversation's group (undefined: no encryption). */
  cipher:
    | {
        seal(conversationId: ConversationId, plaintext: Uint8Array): Promise<Sealed>;
        open(
          conversationId: ConversationId,
          bytes: Uint8Array,
          from: { userId: UserId; deviceId: DeviceId },
        ): Promise<Sealed>;
      }
    | undefined;
  /**
   * Sends the call's trace as an end-to-end encrypted message of the conversation (the client's
   * `send`); called once by the device that rang, when its call ended. Absent: nothing is recorded.
   */
  record?(
    conversationId: ConversationId,
    content: { kind: "call"; text: string; call: CallRecord },
  ): Promise<void>;
  /** `GET /v1/calls/turn`. */
  turn(): Promise<TurnCredentialsResponse>;
  rtc: CallsRtc | undefined;
  /** How long a call rings before it counts as missed (default 45 s). */
  ringTimeoutMs?: number;
  /** How long answering may take to connect (default 30 s). */
  connectTimeoutMs?: number;
  /** Forces the ICE transport policy (tests); otherwise the user's relay-only setting decides. */
  iceTransportPolicy?: "relay" | "all";
}

/** Events of {@link Calls}. */
export interface CallsEvents {
  /** The call's state changed; `message` is set when it failed (a clear sentence for the screen). */
  state: { oldState: CallState; newState: CallState; message?: string };
  /** This device's camera/microphone stream for the call (for a self view). */
  localStream: { stream: MediaStreamLike };
  /** Another device's media arrived. */
  remoteStream: { stream: unknown };
  /** A device joined or left this device's mesh, or its link connected (a group call has several). */
  participants: { participants: CallParticipant[] };
}
