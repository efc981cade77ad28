import {
  type CallId,
  type CallMedia,
  type ConversationId,
  newCallId,
  type ServerCallFrame,
  type UserId,
} from "@hearth/protocol";
import type { TimerHandle } from "../clock.ts";
import { Emitter } from "../emitter.ts";
import { CallLinks } from "./call-links.ts";
import type { CallParticipant } from "./call-mesh.ts";
import { callRecordFor } from "./call-record.ts";
import { CallRoster } from "./call-roster.ts";
import {
  CALL_FAILURE_MESSAGES,
  type CallEvent,
  type CallFailure,
  type CallState,
  IDLE,
  inCall,
  MAX_CALL_PARTICIPANTS,
  nextCallState,
} from "./call-state.ts";
import type { CallsDeps, CallsEvents } from "./calls-deps.ts";
import type { MediaStreamLike, PeerConnectionLike } from "./peer-link.ts";

export type { CallsDeps, CallsEvents, CallsRtc } from "./calls-deps.ts";

/**
 * This device's calls (one at a time): ring a conversation's other members, answer on any device,
 * SDP and ICE end-to-end encrypted inside MLS, DTLS fingerprints checked against what MLS carried.
 * A group call is a full mesh: one peer connection per remote device ({@link CallLinks}). States and
 * end reasons are typed ({@link CallState}); failures are data with a clear message.
 *
 * @example
 * client.calls.on("state", ({ newState }) => render(newState));
 * await client.calls.start(conversationId, "video", otherUserId); // or [userA, userB] in a group
 * // on the other device: client.calls.accept();
 */
export class Calls extends Emitter<CallsEvents> {
  readonly #d: CallsDeps;
  #state: CallState = IDLE;
  readonly #links: CallLinks;
  #timer: TimerHandle;
  #ringAgain: TimerHandle;
  /** Incoming signals are handled strictly in order. */
  #signals: Promise<void> = Promise.resolve();
  #muted = false;
  #cameraOff = false;
  /** Who takes part, and who offers to whom. */
  readonly #roster = new CallRoster();
  /** When the first link connected (the call's length counts from here). */
  #connectedAt: number | undefined;

  constructor(deps: CallsDeps) {
    super();
    this.#d = deps;
    this.#links = new CallLinks(deps, this.#roster, {
      state: () => this.#state,
      paused: () => ({ audio: this.#muted, video: this.#cameraOff }),
      fail: (f) => this.#fail(f),
      linkConnected: () => {
        if (this.#state.phase !== "connecting") return;
        this.#disarm();
        this.#apply({ type: "media_connected" });
      },
      changed: () => this.emit("participants", { participants: this.participants }),
      localStream: (stream) => this.emit("localStream", { stream }),
      remoteStream: (stream) => this.emit("remoteStream", { stream }),
      control: (action, extra, callId) => this.#control(action, extra, callId),
    });
  }

  get state(): CallState {
    return this.#state;
  }
  get muted(): boolean {
    return this.#muted;
  }
  get cameraOff(): boolean {
    return this.#cameraOff;
  }
  /** The remote devices this device has a peer connection with (a group call has several). */
  get participants(): CallParticipant[] {
    return this.#links.participants();
  }
  /** The first peer connection (a 1:1 call's only one), while a call is connecting or connected. */
  get peerConnection(): PeerConnectionLike | undefined {
    return this.#links.participants()[0]?.pc;
  }
  get localStream(): MediaStreamLike | undefined {
    return this.#links.local;
  }
  /** The first other device's media stream, once it arrived (a `MediaStream` in a browser). */
  get remoteStream(): unknown {
    return this.#links.participants().find((p) => p.remoteStream !== undefined)?.remoteStream;
  }

  /**
   * Rings the other members of a conversation (one user, or several in a group: at most
   * {@link MAX_CALL_PARTICIPANTS} − 1). Resolves once the server relayed the ring.
   */
  async start(
    conversationId: ConversationId,
    media: CallMedia,
    peers: UserId | readonly UserId[],
  ): Promise<CallState> {
    if (inCall(this.#state)) throw new Error("already in a call: hang up first");
    const users = typeof peers === "string" ? [peers] : [...peers];
    const first = users[0];
    if (first === undefined) throw new Error("a call needs someone to ring");
    if (users.length + 1 > MAX_CALL_PARTICIPANTS)
      throw new Error(`a call has at most ${MAX_CALL_PARTICIPANTS} participants (a mesh)`);
    const callId = newCallId();
    this.#reset();
    this.#roster.dialled(users);
    this.#apply({ type: "dial", callId, conversationId, media, peer: { userId: first } });
    this.#arm(this.#d.ringTimeoutMs ?? 45_000);
    if (!(await this.#control("ring", { media }))) return this.#state;
    this.#ringAgainLater(callId, media);
    // Ask for the camera/microphone while it rings, so the permission prompt comes first.
    await this.#links.media(callId);
    return this.#state;
  }

  /**
   * Rings again every 10 s while nobody answered: rings are live only (never stored), so a device
   * that comes online meanwhile (opened from the ring's push) rings too. Devices already ringing,
   * or done with this call, ignore a repeated ring.
   */
  #ringAgainLater(callId: CallId, media: CallMedia) {
    this.#d.clock.clearTimeout(this.#ringAgain);
    this.#ringAgain = this.#d.clock.setTimeout(() => {
      if (this.#state.callId !== callId || this.#state.phase !== "outgoing") return;
      void this.#control("ring", { media });
      this.#ringAgainLater(callId, media);
    }, 10_000);
  }

  /** Answers the ringing call on this device (the user's other devices stop ringing). */
  async accept(): Promise<void> {
    const s = this.#state;
    if (s.phase !== "ringing" || !s.callId) return;
    const callId = s.callId;
    this.#muted = false;
    this.#cameraOff = false;
    this.#apply({ type: "accept" });
    this.#arm(this.#d.connectTimeoutMs ?? 30_000);
    // Ready for offers before saying yes: the caller sends one as soon as it hears `accept`.
    if (!(await this.#links.media(callId))) return;
    if (!(await this.#links.config(callId))) return;
    const me = this.#d.me()?.deviceId;
    if (!me) return;
    const before = this.#roster.acceptedHere(me);
    if (!(await this.#control("accept"))) return;
    // Devices that accepted before us: on each pair the smaller device id offers.
    for (const to of before) void this.#links.offerTo(callId, to);
  }

  /** Declines the ringing call. */
  async decline(): Promise<void> {
    if (this.#state.phase !== "ringing") return;
    const callId = this.#state.callId;
    this.#apply({ type: "decline" });
    await this.#control("decline", {}, callId);
  }

  /** Leaves (or cancels) the call. Safe to call in any state. */
  async hangup(): Promise<void> {
    if (!inCall(this.#state)) return;
    const callId = this.#state.callId;
    const ringing = this.#state.phase === "ringing";
    this.#apply({ type: "hangup" });
    await this.#control(ringing ? "decline" : "hangup", {}, callId);
  }

  /** Mutes or unmutes the microphone (the audio track stops sending, to every device). */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    for (const t of this.#links.local?.getTracks() ?? []) if (t.kind === "audio") t.enabled = !muted;
    this.#links.pause("audio", muted);
  }

  /** Turns the camera off or on. */
  setCameraOff(off: boolean): void {
    this.#cameraOff = off;
    for (const t of this.#links.local?.getTracks() ?? []) if (t.kind === "video") t.enabled = !off;
    this.#links.pause("video", off);
  }

  /** The socket went away: a call in progress cannot continue its signaling. */
  connectionLost(): void {
    if (this.#state.phase === "outgoing" || this.#state.phase === "ringing") this.#fail("network");
  }

  /** Handles a `call` frame from the server (the client routes them here). */
  receive(f: ServerCallFrame) {
    const me = this.#d.me();
    if (!me) return;
    const s = this.#state;
    const same = s.callId === f.callId;
    const mine = f.fromUserId === me.userId;
    switch (f.action) {
      case "ring":
        // Our own ring, or a repeated ring of a call this device already answered, declined or missed.
        if (mine || (same && s.phase === "ended")) return;
        if (inCall(s)) {
          // Already in a call (or ringing for another): the caller hears `busy`.
          if (!same) void this.#send({ action: "busy", callId: f.callId, conversationId: f.conversationId });
          return;
        }
        this.#reset();
        this.#roster.rung({ userId: f.fromUserId, deviceId: f.fromDeviceId });
        this.#apply({
          type: "incoming",
          callId: f.callId,
          conversationId: f.conversationId,
          media: f.media ?? "audio",
          peer: { userId: f.fromUserId, deviceId: f.fromDeviceId },
        });
        this.#arm(this.#d.ringTimeoutMs ?? 45_000);
        return;
      case "accept":
        if (!same) return;
        if (mine) return this.#apply({ type: "answered_elsewhere" });
        if (!inCall(s)) return;
        {
          const from = { userId: f.fromUserId, deviceId: f.fromDeviceId };
          const offer = this.#roster.accepted(me.deviceId, from);
          if (s.phase === "outgoing") {
            this.#apply({ type: "remote_accept", deviceId: f.fromDeviceId });
            this.#arm(this.#d.connectTimeoutMs ?? 30_000);
          }
          if (offer) void this.#links.offerTo(f.callId, from);
        }
        return;
      case "decline":
      case "busy":
        if (!same) return;
        if (mine) return f.action === "decline" ? this.#apply({ type: "answered_elsewhere" }) : undefined;
        // A group call rings on while someone may still answer.
        if (!this.#roster.refused(f.fromUserId)) return;
        return this.#apply({ type: f.action === "busy" ? "remote_busy" : "remote_decline" });
      case "hangup":
        if (!same) return;
        if (mine) return this.#apply({ type: "answered_elsewhere" });
        // Ringing: only the caller can take the ring back. Later: only a device in the call can leave it.
        if (s.phase === "ringing")
          return f.fromDeviceId === this.#roster.caller ? this.#apply({ type: "remote_hangup" }) : undefined;
        {
          const { wasIn, empty } = this.#roster.left(f.fromDeviceId, s.phase === "outgoing");
          if (!wasIn) return;
          this.#links.drop(f.fromDeviceId);
          this.emit("participants", { participants: this.participants });
          if (empty) this.#apply({ type: "remote_hangup" });
        }
        return;
      case "signal":
        if (!same || (s.phase !== "connecting" && s.phase !== "connected") || !f.body) return;
        if (!this.#roster.takesPart(f.fromDeviceId, f.fromUserId)) return;
        this.#signals = this.#signals
          .then(() => this.#links.receive(f))
          .catch(() => this.#fail("signal_unverified"));
        return;
    }
  }

  /** Sends a call frame for the current call; false (and the call fails) if the server refused. */
  async #control(action: string, extra: Record<string, unknown> = {}, callId = this.#state.callId) {
    const conversationId = this.#state.conversationId;
    if (!callId || !conversationId) return false;
    const ok = await this.#send({ action, callId, conversationId, ...extra });
    if (!ok && inCall(this.#state) && this.#state.callId === callId) this.#fail("network");
    return ok;
  }

  async #send(
    frame: { action: string; callId: CallId; conversationId: ConversationId } & Record<string, unknown>,
  ) {
    try {
      const answer = await this.#d.request({ type: "call", ...frame });
      return answer.type === "ack";
    } catch {
      return false;
    }
  }

  #fail(failure: CallFailure) {
    this.#apply({ type: "fail", failure });
  }

  #apply(e: CallEvent): undefined {
    const old = this.#state;
    const next = nextCallState(old, e);
    if (next === old) return undefined;
    this.#state = next;
    if (next.phase === "ended") {
      // The others must not keep waiting when this side fails. Not from a ringing device: its
      // `hangup` would tell this user's other devices that the call was answered elsewhere.
      const gaveUp = e.type === "fail" || e.type === "timeout";
      if (gaveUp && old.phase !== "ringing" && old.callId && old.conversationId)
        void this.#send({ action: "hangup", callId: old.callId, conversationId: old.conversationId });
      if (old.direction === "outgoing") this.#record(next);
      this.#teardown();
    } else if (next.phase === "connected" && old.phase !== "connected") {
      this.#connectedAt = this.#d.clock.now();
    }
    const message = next.failure ? CALL_FAILURE_MESSAGES[next.failure] : undefined;
    this.emit(
      "state",
      message ? { oldState: old, newState: next, message } : { oldState: old, newState: next },
    );
  }

  /** The caller's device leaves the call's trace in the conversation, end-to-end encrypted. */
  #record(ended: CallState) {
    const content = callRecordFor(ended, this.#connectedAt, this.#d.clock.now());
    if (!this.#d.record || !content || !ended.conversationId) return;
    // A trace that cannot be sent (no encryption group yet, the client stopped) is left out.
    void this.#d.record(ended.conversationId, content).catch(() => undefined);
  }

  #arm(ms: number) {
    this.#disarm();
    const callId = this.#state.callId;
    this.#timer = this.#d.clock.setTimeout(() => {
      if (this.#state.callId !== callId) return;
      this.#apply({ type: "timeout" });
    }, ms);
  }

  #disarm() {
    this.#d.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Forgets the previous call's devices before a new one starts. */
  #reset() {
    this.#links.close();
    this.#muted = false;
    this.#cameraOff = false;
    this.#connectedAt = undefined;
  }

  #teardown() {
    this.#disarm();
    this.#d.clock.clearTimeout(this.#ringAgain);
    this.#links.close();
    this.#signals = Promise.resolve();
    this.#roster.ended();
  }
}
