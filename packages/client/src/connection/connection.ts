import {
  CloseCode,
  closeReason,
  parseServerFrame,
  type ServerFrame,
  WS_PATH,
  WS_SUBPROTOCOL,
} from "@hearth/protocol";
import { type BackoffOptions, fullJitterDelay } from "../backoff.ts";
import type { Clock, TimerHandle } from "../clock.ts";
import { type DisconnectReason, State } from "./connection-state.ts";

/** The smallest WebSocket surface the SDK needs: the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
/** A WebSocket constructor (`globalThis.WebSocket`, or `ws` in Node). */
export type WebSocketConstructor = new (url: string, protocols: string | string[]) => WebSocketLike;

/** What the connection needs from the client that owns it. */
export interface ConnectionHost {
  /** Loads what the socket needs (cursors, outbox); a rejection is a `store_error`. */
  load(): Promise<void>;
  /** Per-conversation cursors for `hello`. */
  cursors(): Record<string, number>;
  /** The state changed (emit it). */
  stateChanged(oldState: State, newState: State, reason?: DisconnectReason): void;
  /** `hello` was answered with `ready`. */
  ready(frame: Extract<ServerFrame, { type: "ready" }>): void;
  /** A frame that answers no pending request. */
  frame(frame: ServerFrame): void;
  /** The socket is gone: whatever was in flight is not any more. */
  dropped(): void;
  /** The client ended for good (after the socket was torn down). */
  ended(): void;
  error(code: string, message: string): void;
}

/** Settings of a {@link Connection}. */
export interface ConnectionOptions {
  baseUrl: string;
  token: string;
  WebSocket: WebSocketConstructor;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
}

interface Pending {
  resolve: (frame: ServerFrame) => void;
  reject: (err: Error) => void;
  /** When the answer is late (clock time). */
  deadline: number;
}

const OPEN = 1;
const ignore = () => undefined;

/** A request did not get its answer: the socket went, or it timed out (and the socket was recycled). */
export class ConnectionLost extends Error {}

/**
 * One device's socket as an explicit state machine (see {@link State}): open, `hello` with the
 * cursors, a heartbeat, requests with ids and timeouts, and reconnects with full-jitter backoff
 * after every loss until `end()` or a refused token. Internal to {@link HearthClient}.
 */
export class Connection {
  readonly #o: ConnectionOptions;
  readonly #host: ConnectionHost;
  #state: State = State.Disconnected;
  #ws: WebSocketLike | undefined;
  #generation = 0;
  #attempt = 0;
  #reconnectTimer: TimerHandle;
  #heartbeatTimer: TimerHandle;
  #lastFrameAt = 0;
  #lastPingAt = 0;
  #nextId = 1;
  /** Requests waiting for their answer, oldest first (ids only grow, and every deadline is `now + requestTimeoutMs`). */
  readonly #pending = new Map<number, Pending>();
  /** One timer for every pending request, armed at the oldest's deadline (not one timer per request). */
  #requestTimer: TimerHandle;
  #requestTimerArmed = false;

  constructor(options: ConnectionOptions, host: ConnectionHost) {
    fullJitterDelay(0, options.backoff); // validates the bounds now, not at the first reconnect
    this.#o = options;
    this.#host = host;
  }

  get state(): State {
    return this.#state;
  }

  /** Changes with every socket: work queued for one socket checks it before running on another. */
  get generation(): number {
    return this.#generation;
  }

  /** Called on `synced`: only a connection that got this far resets the backoff. */
  resetBackoff(): void {
    this.#attempt = 0;
  }

  /** The client reached `connected` (everything missed has been delivered). */
  synced(): void {
    this.#setState(State.Connected);
  }

  #setState(newState: State, reason?: DisconnectReason) {
    if (newState === this.#state) return;
    const oldState = this.#state;
    this.#state = newState;
    this.#host.stateChanged(oldState, newState, reason);
  }

  /** See {@link HearthClient.connect}. */
  connect(): void {
    if (this.#state === State.Closed) throw new Error("This client is closed; create a new one.");
    if (this.#state !== State.Disconnected) return;
    this.#o.clock.clearTimeout(this.#reconnectTimer);
    void this.#open();
  }

  async #open() {
    this.#setState(State.Connecting);
    try {
      await this.#host.load();
    } catch (err) {
      this.#host.error("store_error", String(err));
      this.lost("store_error");
      return;
    }
    if (this.#state !== State.Connecting) return;
    const url = `${this.#o.baseUrl.replace(/^http/, "ws")}${WS_PATH}`;
    let ws: WebSocketLike;
    try {
      ws = new this.#o.WebSocket(url, WS_SUBPROTOCOL);
    } catch {
      this.lost("network");
      return;
    }
    this.#ws = ws;
    this.#generation++;
    this.#lastFrameAt = this.#o.clock.now();
    this.#startHeartbeat();
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.#setState(State.Authenticating);
      const hello = { type: "hello", token: this.#o.token, cursors: this.#host.cursors() };
      this.request(hello).then(
        (answer) => {
          if (answer.type === "ready") {
            this.#setState(State.Syncing);
            this.#host.ready(answer);
          } else if (answer.type === "error" && answer.code === "token_invalid") this.end("token_invalid");
          else this.recycle("protocol_error");
        },
        () => undefined, // connection lost: lost() has already decided what happens next
      );
    };
    ws.onmessage = (ev) => {
      if (this.#ws !== ws) return;
      this.#lastFrameAt = this.#o.clock.now();
      const raw = typeof ev.data === "string" ? ev.data : String(ev.data);
      const r = parseServerFrame(raw);
      if (!r.ok) {
        // A frame we cannot read is skipped; if it was a log entry, the next one shows a gap.
        this.#host.error(r.code, `unreadable server frame${r.path ? ` at ${r.path}` : ""}`);
        return;
      }
      this.#onFrame(r.value);
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      // One reading of close codes for both sides: @hearth/protocol's closeReason.
      const reason = closeReason(ev.code);
      if (reason === "token_invalid") this.end(reason);
      else this.lost(reason);
    };
    ws.onerror = () => {
      // onclose follows and decides.
    };
  }

  #onFrame(f: ServerFrame) {
    if ("id" in f && f.id !== undefined) {
      const p = this.#pending.get(f.id);
      if (p) {
        // The request timer stays armed; when it fires it finds this one gone and re-arms for the next.
        this.#pending.delete(f.id);
        p.resolve(f);
        return;
      }
    }
    if (f.type === "error" && f.code === "token_invalid") return this.end("token_invalid");
    this.#host.frame(f);
  }

  /**
   * One timer checks liveness: ping when the server has been silent for `heartbeatMs`; recycle the
   * socket when it stays silent `heartbeatTimeoutMs` longer. Any frame counts as a sign of life.
   */
  #startHeartbeat() {
    const { clock, heartbeatMs, heartbeatTimeoutMs } = this.#o;
    const tick = Math.max(50, Math.floor(Math.min(heartbeatMs, heartbeatTimeoutMs) / 2));
    const check = () => {
      if (!this.#ws) return;
      const now = clock.now();
      const silent = now - this.#lastFrameAt;
      if (silent > heartbeatMs + heartbeatTimeoutMs) return this.recycle("heartbeat_timeout");
      if (silent >= heartbeatMs && now - this.#lastPingAt >= heartbeatMs) {
        this.#lastPingAt = now;
        this.send({ type: "ping", id: this.#nextId++ });
      }
      this.#heartbeatTimer = clock.setTimeout(check, tick);
    };
    clock.clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = clock.setTimeout(check, tick);
  }

  /** Sends a frame that needs no answer; false when there is no open socket (nothing was sent). */
  send(frame: Record<string, unknown>): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Sends a frame with a fresh request id (set on `frame`, which the caller builds for this request);
   * settles with the answer, or rejects with {@link ConnectionLost} when the socket goes or the answer
   * is late (which recycles the socket).
   */
  request(frame: Record<string, unknown>): Promise<ServerFrame> {
    const id = this.#nextId++;
    frame.id = id;
    return new Promise((resolve, reject) => {
      if (!this.send(frame)) {
        reject(new ConnectionLost("not connected"));
        return;
      }
      this.#pending.set(id, { resolve, reject, deadline: this.#o.clock.now() + this.#o.requestTimeoutMs });
      if (!this.#requestTimerArmed) this.#armRequestTimer(this.#o.requestTimeoutMs);
    });
  }

  #armRequestTimer(ms: number) {
    this.#requestTimerArmed = true;
    this.#requestTimer = this.#o.clock.setTimeout(() => this.#checkRequests(), ms);
  }

  /** The request timer fired: a late answer recycles the socket; else wait for the oldest deadline. */
  #checkRequests() {
    this.#requestTimerArmed = false;
    const now = this.#o.clock.now();
    for (const [id, p] of this.#pending) {
      if (p.deadline > now) return this.#armRequestTimer(p.deadline - now);
      this.#pending.delete(id);
      p.reject(new ConnectionLost("request timeout"));
      return this.recycle("request_timeout");
    }
  }

  /** Drops the socket and reconnects (after a timeout or an unreadable answer). */
  recycle(reason: DisconnectReason): void {
    const ws = this.#ws;
    if (!ws) return;
    this.lost(reason);
    try {
      ws.close(CloseCode.protocolError, reason);
    } catch {
      // already closing
    }
  }

  #teardown(): WebSocketLike | undefined {
    const { clock } = this.#o;
    clock.clearTimeout(this.#heartbeatTimer);
    clock.clearTimeout(this.#requestTimer);
    this.#requestTimerArmed = false;
    for (const p of this.#pending.values()) p.reject(new ConnectionLost("connection lost"));
    this.#pending.clear();
    this.#host.dropped();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = null;
      ws.onclose = null;
      // Not null: closing a socket that is still connecting makes Node's `ws` emit an error later,
      // which would be thrown as an unhandled 'error' event without a listener.
      ws.onerror = ignore;
    }
    return ws;
  }

  /** The socket is gone (or must go): tear down and reconnect after a jittered backoff. */
  lost(reason: DisconnectReason): void {
    if (this.#state === State.Closed) return;
    this.#teardown();
    this.#setState(State.Disconnected, reason);
    const delay = fullJitterDelay(this.#attempt++, this.#o.backoff, this.#o.random);
    this.#o.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = this.#o.clock.setTimeout(() => {
      if (this.#state === State.Disconnected) void this.#open();
    }, delay);
  }

  /** Ends for good: state `closed` with `reason`. */
  end(reason: DisconnectReason): void {
    if (this.#state === State.Closed) return;
    this.#o.clock.clearTimeout(this.#reconnectTimer);
    const ws = this.#teardown();
    if (ws && ws.readyState <= OPEN) ws.close(CloseCode.normal, "bye");
    this.#setState(State.Closed, reason);
    this.#host.ended();
  }
}
