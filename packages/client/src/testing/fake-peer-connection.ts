import type { PeerConfig, PeerConnectionLike, SessionDescriptionLike } from "../calls/peer-link.ts";

/** A DTLS fingerprint (SHA-256, 32 bytes of one repeated hex pair), e.g. `fingerprint("AA")`. */
export const fingerprint = (pair: string): string => `${`${pair}:`.repeat(31)}${pair}`;

/** A minimal SDP declaring one DTLS fingerprint, as a browser's offer or answer would. */
export const sdpWithFingerprint = (fp: string): string =>
  `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 ${fp}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n`;

/**
 * A scripted `RTCPeerConnection` for tests of call logic (WebRTC is the platform's): it records the
 * offers it made, presents a chosen certificate in its stats, and changes connection state when the
 * test says so ({@link FakePeerConnection.to}).
 */
export class FakePeerConnection implements PeerConnectionLike {
  connectionState = "new";
  signalingState = "stable";
  remoteDescription: { sdp: string } | null = null;
  onicecandidate: PeerConnectionLike["onicecandidate"] = null;
  onconnectionstatechange: PeerConnectionLike["onconnectionstatechange"] = null;
  ontrack: PeerConnectionLike["ontrack"] = null;
  closed = false;
  /** The certificate the "peer" presents in DTLS. */
  presented = fingerprint("BB");
  /** This side's own certificate (in the SDP it makes). */
  own = fingerprint("AA");
  /** Every offer made, with whether it asked for an ICE restart. */
  readonly offers: { iceRestart: boolean }[] = [];

  constructor(readonly config: PeerConfig) {}

  addTrack() {
    return { replaceTrack: async () => undefined };
  }
  async createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike> {
    this.offers.push({ iceRestart: options?.iceRestart === true });
    return { type: "offer", sdp: sdpWithFingerprint(this.own) };
  }
  async createAnswer(): Promise<SessionDescriptionLike> {
    return { type: "answer", sdp: sdpWithFingerprint(this.own) };
  }
  async setLocalDescription(d: SessionDescriptionLike) {
    this.signalingState = d.type === "offer" ? "have-local-offer" : "stable";
  }
  async setRemoteDescription(d: SessionDescriptionLike) {
    this.remoteDescription = { sdp: d.sdp ?? "" };
    this.signalingState = d.type === "offer" ? "have-remote-offer" : "stable";
  }
  async addIceCandidate() {}
  async getStats() {
    const reports = [
      { id: "T", type: "transport", remoteCertificateId: "C" },
      { id: "C", type: "certificate", fingerprint: this.presented, fingerprintAlgorithm: "sha-256" },
    ];
    return {
      forEach: (fn: (r: Record<string, unknown>) => void) => {
        for (const r of reports) fn(r);
      },
    };
  }
  close() {
    this.closed = true;
  }
  /** The connection moves to `state` (`connected`, `disconnected`, `failed`, …). */
  to(state: string) {
    this.connectionState = state;
    this.onconnectionstatechange?.({});
  }
  /** DTLS came up. */
  up() {
    this.to("connected");
  }
}
