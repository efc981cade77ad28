import type { Clock, TimerHandle } from "../clock.ts";
import { type CallSignal, normaliseFingerprint, sameFingerprints, sdpFingerprints } from "./call-signal.ts";
import type { CallFailure } from "./call-state.ts";

/*
 * The WebRTC side of one pair of devices in a call: one RTCPeerConnection, its offer/answer and ICE
 * candidates as end-to-end encrypted signals, the DTLS fingerprint checks, and ICE restarts when the
 * network path goes away. The peer connection is injected (the SDK touches no DOM global), so tests
 * can drive it.
 */

/**
 * How long a link that went `disconnected` may recover by itself (a Wi-Fi blip) before it restarts
 * ICE; a `failed` link restarts at once.
 */
export const ICE_DISCONNECTED_GRACE_MS = 4_000;
/** How long one attempt (the first connection, or one ICE restart) may take before the next one. */
export const ICE_ATTEMPT_MS = 15_000;
/** ICE restarts in a row without reconnecting before the link gives up (`ice_failed`). */
export const MAX_ICE_RESTARTS = 3;

/** The slice of `RTCSessionDescriptionInit` the SDK uses. */
export interface SessionDescriptionLike {
  type: "offer" | "answer" | "pranswer" | "rollback";
  sdp?: string;
}

/** The slice of `RTCIceCandidateInit` the SDK uses. */
export interface IceCandidateLike {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** The slice of `MediaStreamTrack` the SDK uses. */
export interface MediaTrackLike {
  readonly kind: string;
  enabled: boolean;
  /** `live` until stopped (a browser track has it). */
  readonly readyState?: string;
  stop(): void;
}

/** The slice of `MediaStream` the SDK uses. */
export interface MediaStreamLike {
  getTracks(): MediaTrackLike[];
}

/** The slice of `RTCPeerConnection` the SDK uses (a real one satisfies it). */
export interface PeerConnectionLike {
  readonly connectionState: string;
  readonly remoteDescription: { sdp: string } | null;
  onicecandidate: ((e: { candidate: IceCandidateLike | null }) => void) | null;
  onconnectionstatechange: ((e: unknown) => void) | null;
  ontrack: ((e: { streams: readonly unknown[] }) => void) | null;
  addTrack(track: never, stream: never): unknown;
  /** `signalingState` of a browser connection: restarts wait for `stable`. */
  readonly signalingState?: string;
  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(d: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(d: SessionDescriptionLike): Promise<void>;
  addIceCandidate(c: IceCandidateLike): Promise<void>;
  getStats(): Promise<{ forEach(fn: (report: Record<string, unknown>) => void): void }>;
  close(): void;
}

/** The configuration the SDK gives a new peer connection (an `RTCConfiguration`). */
export interface PeerConfig {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  iceTransportPolicy: "relay" | "all";
}

/** What the link reports to its call. */
export interface PeerLinkHost {
  /** Sends a signal to the peer device (the call encrypts it). */
  signal(s: CallSignal): void;
  /** DTLS is up and the peer's certificate matched the fingerprints that came end-to-end encrypted. */
  connected(): void;
  /** The path went away; ICE is being restarted (media resumes on `connected`). */
  reconnecting(): void;
  failed(f: CallFailure): void;
  remoteStream(stream: unknown): void;
}

/** One peer connection of a call, offerer or answerer. */
export class PeerLink {
  readonly pc: PeerConnectionLike;
  readonly #host: PeerLinkHost;
  /** Candidates that arrived before the remote description. */
  #early: IceCandidateLike[] = [];
  /** The peer's fingerprints as they came through MLS. */
  #remoteFingerprints: string[] | undefined;
  #closed = false;
  /** DTLS is up and verified, and the path has not gone away since. */
  #up = false;
  /** This side made the first offer (and makes every ICE restart); unset until the first offer. */
  #offerer: boolean | undefined;
  /** ICE restarts since the path was last up. */
  #restarts = 0;
  /** When this side last offered an ICE restart (clock milliseconds). */
  #restartedAt = Number.NEGATIVE_INFINITY;
  /** The timer of the running attempt, or of the grace period after `disconnected`. */
  #timer: TimerHandle | undefined;
  readonly #clock: Clock;
  /** The senders of this side's tracks, by kind, with the track each sends when not paused. */
  readonly #senders: {
    kind: string;
    track: MediaTrackLike;
    sender: { replaceTrack(t: unknown): Promise<void> };
  }[] = [];

  constructor(pc: PeerConnectionLike, host: PeerLinkHost, local: MediaStreamLike | undefined, clock: Clock) {
    this.pc = pc;
    this.#host = host;
    this.#clock = clock;
    for (const t of local?.getTracks() ?? []) {
      const sender = pc.addTrack(t as never, local as never) as { replaceTrack?(t: unknown): Promise<void> };
      if (typeof sender?.replaceTrack === "function")
        this.#senders.push({
          kind: t.kind,
          track: t,
          sender: sender as { replaceTrack(t: unknown): Promise<void> },
        });
    }
    pc.onicecandidate = (e) => {
      if (this.#closed) return;
      if (!e.candidate?.candidate) return this.#host.signal({ kind: "candidates-done" });
      this.#host.signal({
        kind: "candidate",
        candidate: e.candidate.candidate,
        sdpMid: e.candidate.sdpMid ?? null,
        sdpMLineIndex: e.candidate.sdpMLineIndex ?? null,
      });
    };
    pc.ontrack = (e) => {
      if (e.streams[0] !== undefined) this.#host.remoteStream(e.streams[0]);
    };
    pc.onconnectionstatechange = () => {
      if (this.#closed) return;
      const state = pc.connectionState;
      if (state === "connected") void this.#verifyDtls();
      else if (state === "failed") this.#lost(0);
      else if (state === "disconnected") this.#lost(ICE_DISCONNECTED_GRACE_MS);
    };
  }

  /** Offerer: makes the offer and sends it with its fingerprints. */
  async offer(): Promise<void> {
    this.#offerer = true;
    this.#watch(ICE_ATTEMPT_MS);
    await this.#sendOffer(false);
  }

  async #sendOffer(iceRestart: boolean): Promise<void> {
    if (iceRestart) this.#restartedAt = this.#clock.now();
    const d = await this.pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    if (this.#closed) return;
    await this.pc.setLocalDescription(d);
    const sdp = d.sdp ?? "";
    this.#host.signal({ kind: "offer", sdp, fingerprints: sdpFingerprints(sdp) });
  }

  /** The path went away: after `graceMs` (if it does not come back by itself) ICE restarts. */
  #lost(graceMs: number) {
    if (this.#up) {
      this.#up = false;
      this.#host.reconnecting();
    }
    if (graceMs === 0) this.#restart();
    else this.#watch(graceMs);
  }

  /** Runs `#restart` after `ms` unless the path comes up (or the link closes) first. */
  #watch(ms: number) {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.#restart(), ms);
  }

  /**
   * One more ICE restart, up to {@link MAX_ICE_RESTARTS}: the offering side sends a new offer with
   * fresh ICE credentials (same DTLS certificate, checked again on the other side); the answering
   * side asks it to. Then `ice_failed`.
   */
  #restart(asked = false) {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || this.#up) return;
    // Back by itself (or still up as far as this side can tell): verify it again rather than restart.
    if (!asked && this.pc.connectionState === "connected") return void this.#verifyDtls();
    if (this.#restarts >= MAX_ICE_RESTARTS) return this.#host.failed("ice_failed");
    this.#restarts++;
    this.#watch(ICE_ATTEMPT_MS);
    if (this.#offerer === false) return this.#host.signal({ kind: "restart" });
    // An offer still unanswered: this attempt waits for its answer (the timer tries again).
    if (this.#offerer !== true || (this.pc.signalingState ?? "stable") !== "stable") return;
    void this.#sendOffer(true).catch(() => this.#host.failed("ice_failed"));
  }

  /** Handles one decrypted signal from the peer, in order. */
  async receive(s: CallSignal): Promise<void> {
    if (this.#closed) return;
    switch (s.kind) {
      case "offer":
      case "answer": {
        // The SDP and its fingerprint list both came through MLS; a list that disagrees with the
        // SDP means the sender's SDK was not ours, or something rewrote one of them: fail closed.
        const inSdp = sdpFingerprints(s.sdp);
        if (!sameFingerprints(inSdp, s.fingerprints)) return this.#host.failed("fingerprint_mismatch");
        // An ICE restart keeps the DTLS certificate: a renegotiation naming another one is refused.
        const before = this.#remoteFingerprints;
        if (before && !sameFingerprints(before, inSdp)) return this.#host.failed("fingerprint_mismatch");
        this.#remoteFingerprints = inSdp;
        if (s.kind === "offer" && this.#offerer === undefined) {
          this.#offerer = false;
          this.#watch(ICE_ATTEMPT_MS);
        }
        await this.pc.setRemoteDescription({ type: s.kind, sdp: s.sdp });
        // What the browser actually holds must carry the same fingerprints (a hook or extension
        // rewriting the description on its way in is caught here).
        const held = sdpFingerprints(this.pc.remoteDescription?.sdp ?? "");
        if (!sameFingerprints(held, inSdp)) return this.#host.failed("fingerprint_mismatch");
        for (const c of this.#early.splice(0)) await this.pc.addIceCandidate(c).catch(() => undefined);
        if (s.kind === "offer") {
          const answer = await this.pc.createAnswer();
          await this.pc.setLocalDescription(answer);
          const sdp = answer.sdp ?? "";
          this.#host.signal({ kind: "answer", sdp, fingerprints: sdpFingerprints(sdp) });
        }
        return;
      }
      case "candidate": {
        const c = { candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex };
        if (!this.pc.remoteDescription) this.#early.push(c);
        else await this.pc.addIceCandidate(c).catch(() => undefined);
        return;
      }
      case "candidates-done":
        return;
      case "restart":
        // The answering side lost its path (this side may not have noticed yet): restart ICE, unless
        // a restart offer went out a moment ago and is on its way.
        if (this.#offerer !== true || this.#clock.now() - this.#restartedAt < ICE_DISCONNECTED_GRACE_MS)
          return;
        if (this.#up) {
          this.#up = false;
          this.#host.reconnecting();
        }
        this.#restart(true);
        return;
    }
  }

  /**
   * Once DTLS is up: the certificate the peer presented (getStats: transport → remote certificate)
   * must be one of the fingerprints that came end-to-end encrypted. No certificate reported fails too.
   */
  async #verifyDtls(): Promise<void> {
    if (this.#up) return;
    const expected = this.#remoteFingerprints;
    const seen = await this.remoteCertificateFingerprints();
    if (this.#closed || this.#up) return;
    if (!expected || seen.length === 0 || !seen.every((f) => expected.includes(f)))
      return this.#host.failed("fingerprint_mismatch");
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#restarts = 0;
    this.#up = true;
    this.#host.connected();
  }

  /** The fingerprints of the certificates the peer presented, from getStats (normalised). */
  async remoteCertificateFingerprints(): Promise<string[]> {
    const stats = await this.pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    const remoteIds: string[] = [];
    stats.forEach((r) => {
      byId.set(String(r.id), r);
      if (r.type === "transport" && typeof r.remoteCertificateId === "string")
        remoteIds.push(r.remoteCertificateId);
    });
    const out: string[] = [];
    for (const id of remoteIds) {
      const c = byId.get(id);
      if (typeof c?.fingerprint === "string" && typeof c.fingerprintAlgorithm === "string")
        out.push(normaliseFingerprint(c.fingerprintAlgorithm, c.fingerprint));
    }
    return out;
  }

  /**
   * Stops or resumes sending one kind of media (`audio` for mute, `video` for camera off): the
   * sender sends nothing at all while paused, not silence or black frames.
   */
  async pause(kind: string, paused: boolean): Promise<void> {
    for (const s of this.#senders) {
      if (s.kind === kind) await s.sender.replaceTrack(paused ? null : s.track).catch(() => undefined);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.pc.onicecandidate = null;
    this.pc.onconnectionstatechange = null;
    this.pc.ontrack = null;
    this.pc.close();
  }
}
