import {
  base64ToBytes,
  bytesToBase64,
  type CallId,
  type DeviceId,
  type ServerCallFrame,
  type UserId,
} from "@hearth/protocol";
import { CallMesh, type CallParticipant } from "./call-mesh.ts";
import type { CallRoster } from "./call-roster.ts";
import { CallSetup } from "./call-setup.ts";
import { type CallSignal, decodeCallSignal, encodeCallSignal } from "./call-signal.ts";
import { type CallFailure, type CallState, inCall } from "./call-state.ts";
import type { CallsDeps } from "./calls-deps.ts";
import type { MediaStreamLike, PeerConfig, PeerLink } from "./peer-link.ts";

/** What the links of a call report to (and ask of) their call. */
export interface CallLinksHost {
  state(): CallState;
  /** Whether this device's microphone and camera are paused (a new link starts that way). */
  paused(): { audio: boolean; video: boolean };
  fail(f: CallFailure): void;
  /** A link's DTLS came up with the certificate MLS carried. */
  linkConnected(): void;
  /** A link opened, connected or went away. */
  changed(): void;
  localStream(stream: MediaStreamLike): void;
  remoteStream(stream: unknown): void;
  /** Sends a call frame for `callId`; false when the server refused it. */
  control(action: string, extra: Record<string, unknown>, callId: CallId): Promise<boolean>;
}

/**
 * The media side of one device's call: its camera and microphone, one peer connection per other
 * device ({@link CallMesh}), and their signals, sealed and opened with MLS. The call's states and
 * frames stay with `Calls`; who offers to whom is the {@link CallRoster}'s.
 */
export class CallLinks {
  readonly #d: CallsDeps;
  readonly #host: CallLinksHost;
  readonly #roster: CallRoster;
  readonly #setup: CallSetup;
  #mesh: CallMesh;

  constructor(deps: CallsDeps, roster: CallRoster, host: CallLinksHost) {
    this.#d = deps;
    this.#roster = roster;
    this.#host = host;
    this.#setup = new CallSetup(deps, {
      current: (callId) => this.#host.state().callId === callId && inCall(this.#host.state()),
      failed: (f) => this.#host.fail(f),
      localStream: (stream) => this.#host.localStream(stream),
    });
    this.#mesh = this.#newMesh();
  }

  get local(): MediaStreamLike | undefined {
    return this.#setup.local;
  }

  participants(): CallParticipant[] {
    return this.#mesh.participants();
  }

  /** Opens the camera/microphone for the call (once); false when the call failed or moved on. */
  media(callId: CallId): Promise<boolean> {
    return this.#setup.media(callId, this.#host.state().media === "video");
  }

  /** The ICE configuration for the call's links (TURN credentials fetched once per call). */
  config(callId: CallId): Promise<PeerConfig | undefined> {
    return this.#setup.config(callId);
  }

  /** Opens a link to one device that takes part and sends it an offer. */
  async offerTo(callId: CallId, to: { userId: UserId; deviceId: DeviceId }): Promise<void> {
    const offering = this.#roster.offering;
    if (this.#mesh.has(to.deviceId) || offering.has(to.deviceId)) return;
    offering.add(to.deviceId);
    const media = await this.media(callId);
    const config = media ? await this.config(callId) : undefined;
    if (!config || this.#host.state().callId !== callId || !offering.has(to.deviceId)) return;
    offering.delete(to.deviceId);
    try {
      await this.#open(callId, to, config).offer();
    } catch {
      this.#host.fail("ice_failed");
    }
  }

  /** Handles one `signal` frame (in order): opens it with MLS, then gives it to its link. */
  async receive(f: ServerCallFrame): Promise<void> {
    const s = this.#host.state();
    const cipher = this.#d.cipher;
    if (!cipher || s.callId !== f.callId || !s.conversationId) return;
    const from = { userId: f.fromUserId, deviceId: f.fromDeviceId };
    const opened = await cipher.open(s.conversationId, base64ToBytes(f.body ?? ""), from);
    if (!opened.ok)
      return this.#host.fail(opened.reason === "not_encrypted" ? "not_encrypted" : "signal_unverified");
    const signal = decodeCallSignal(f.callId, opened.value);
    if (!signal) return this.#host.fail("signal_unverified");
    if (this.#host.state().callId !== f.callId || !this.#roster.takesPart(from.deviceId, from.userId)) return;
    let link = this.#mesh.link(from.deviceId);
    if (!link) {
      // Only an offer opens a link here (from a device that offers to us); stray candidates wait for none.
      if (signal.kind !== "offer" || !this.#roster.inside) return;
      const config = await this.config(f.callId);
      if (!config || !this.#d.rtc || this.#host.state().callId !== f.callId) return;
      link = this.#open(f.callId, from, config);
    }
    await link.receive(signal);
  }

  /** Closes the link to a device that left. */
  drop(deviceId: DeviceId): void {
    this.#mesh.drop(deviceId);
  }

  /** Pauses or resumes one kind of media on every link. */
  pause(kind: "audio" | "video", paused: boolean): void {
    this.#mesh.pause(kind, paused);
  }

  /** The call ended: closes every link, stops the camera and microphone. */
  close(): void {
    this.#mesh.close();
    this.#mesh = this.#newMesh();
    this.#setup.stop();
  }

  #open(callId: CallId, to: { userId: UserId; deviceId: DeviceId }, config: PeerConfig): PeerLink {
    const rtc = this.#d.rtc as NonNullable<CallsDeps["rtc"]>;
    const link = this.#mesh.open(
      to,
      () => rtc.createPeerConnection(config),
      this.#setup.local,
      this.#host.paused(),
    );
    if (this.#host.state().callId === callId) this.#host.changed();
    return link;
  }

  #newMesh(): CallMesh {
    return new CallMesh(
      {
        signal: (to, sig) => {
          const callId = this.#host.state().callId;
          if (callId) void this.#send(callId, to, sig);
        },
        connected: () => {
          this.#host.linkConnected();
          this.#host.changed();
        },
        reconnecting: () => this.#host.changed(),
        failed: (deviceId, failure) => {
          // One device's network path failing in a group leaves the others connected; anything that
          // suggests tampering (a fingerprint, an unverifiable signal) stops the whole call.
          if (failure === "ice_failed" && this.#mesh.size > 1) {
            this.#mesh.drop(deviceId);
            this.#roster.lost(deviceId);
            this.#host.changed();
            return;
          }
          this.#host.fail(failure);
        },
        remoteStream: (_deviceId, stream) => this.#host.remoteStream(stream),
      },
      this.#d.clock,
    );
  }

  async #send(callId: CallId, to: DeviceId, sig: CallSignal) {
    const s = this.#host.state();
    const cipher = this.#d.cipher;
    if (!cipher || !s.conversationId || s.callId !== callId) return;
    const sealed = await cipher.seal(s.conversationId, encodeCallSignal(callId, sig));
    if (!sealed.ok) return this.#host.fail("not_encrypted");
    await this.#host.control("signal", { toDeviceId: to, body: bytesToBase64(sealed.value) }, callId);
  }
}
