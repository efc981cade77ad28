import type { CallId } from "@hearth/protocol";
import { peerConfigFrom } from "./call-mesh.ts";
import type { CallFailure } from "./call-state.ts";
import type { CallsDeps } from "./calls-deps.ts";
import type { MediaStreamLike, PeerConfig } from "./peer-link.ts";

/** What one call's setup reports to its call. */
export interface CallSetupHost {
  /** Whether `callId` is still this device's current call (a late answer must not revive an old one). */
  current(callId: CallId): boolean;
  failed(f: CallFailure): void;
  localStream(stream: MediaStreamLike): void;
}

/**
 * What every link of one call shares, obtained once per call however many devices take part: this
 * device's camera/microphone stream and the ICE configuration (fresh TURN credentials).
 */
export class CallSetup {
  readonly #d: CallsDeps;
  readonly #host: CallSetupHost;
  #media: Promise<boolean> | undefined;
  #config: Promise<PeerConfig | undefined> | undefined;
  #local: MediaStreamLike | undefined;

  constructor(deps: CallsDeps, host: CallSetupHost) {
    this.#d = deps;
    this.#host = host;
  }

  /** The local stream, once open. */
  get local(): MediaStreamLike | undefined {
    return this.#local;
  }

  /** Opens the camera (for video) and microphone once; false (the call failed or moved on) if not. */
  media(callId: CallId, video: boolean): Promise<boolean> {
    this.#media ??= this.#getMedia(callId, video);
    return this.#media;
  }

  /** The ICE configuration for the call's links; undefined (the call failed or moved on) if none. */
  config(callId: CallId): Promise<PeerConfig | undefined> {
    this.#config ??= this.#getConfig(callId);
    return this.#config;
  }

  /** Stops the camera and microphone and forgets the configuration (the call ended). */
  stop(): void {
    for (const t of this.#local?.getTracks() ?? []) t.stop();
    this.#local = undefined;
    this.#media = undefined;
    this.#config = undefined;
  }

  async #getMedia(callId: CallId, video: boolean): Promise<boolean> {
    const rtc = this.#d.rtc;
    if (!rtc) {
      this.#host.failed("media_unavailable");
      return false;
    }
    try {
      const stream = await rtc.getUserMedia({ audio: true, video });
      if (!this.#host.current(callId)) {
        for (const t of stream.getTracks()) t.stop();
        return false;
      }
      this.#local = stream;
      this.#host.localStream(stream);
      return true;
    } catch {
      this.#host.failed("media_unavailable");
      return false;
    }
  }

  async #getConfig(callId: CallId): Promise<PeerConfig | undefined> {
    if (!this.#d.rtc || !this.#d.cipher) {
      this.#host.failed(this.#d.rtc ? "not_encrypted" : "media_unavailable");
      return undefined;
    }
    try {
      const turn = await this.#d.turn();
      if (!this.#host.current(callId)) return undefined;
      return peerConfigFrom(turn, this.#d.iceTransportPolicy);
    } catch {
      this.#host.failed("network");
      return undefined;
    }
  }
}
