import {
  base64ToBytes,
  bytesToBase64,
  CloseCode,
  type ConversationId,
  closeReason,
  DEFAULT_MAX_FRAME_BYTES,
  type DeviceId,
  type ErrorCode,
  type LogEntry,
  LogEntrySchema,
  type MessageId,
  newId,
  parse,
  parseServerFrame,
  type ServerFrame,
  TYPING_REFRESH_MS,
  TYPING_TTL_MS,
  type UserId,
  WS_PATH,
  WS_SUBPROTOCOL,
} from "@hearth/protocol";
import { type BackoffOptions, fullJitterDelay } from "./backoff.ts";
import type { ClientStore, OutboxItem, StoredMessage } from "./client-store.ts";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { type DisconnectReason, State } from "./connection-state.ts";
import type { DeviceKeyStore } from "./device-key-store.ts";
import { E2eeSession, type EncryptionSetup } from "./e2ee/e2ee-session.ts";
import { Emitter } from "./emitter.ts";
import { HearthApi } from "./hearth-api.ts";
import { InboundSequencer } from "./inbound-sequencer.ts";
import { MemoryClientStore } from "./memory-client-store.ts";
import { Outbox } from "./outbox.ts";
import {
  jsonCodec,
  type MessageContent,
  type PayloadCodec,
  type UndecryptableReason,
} from "./payload-codec.ts";

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

/** A log entry as the application sees it: decoded, delivered once, in seq order per conversation. */
export interface ReceivedMessage {
  conversationId: ConversationId;
  seq: number;
  messageId: MessageId;
  senderId: UserId;
  senderDeviceId: DeviceId;
  sentAt: string;
  /** Sent by this user (from this device or another of theirs). */
  own: boolean;
  /**
   * - `message`: a message; `content` is set, or `undecryptable` says why it could not be read.
   * - `deleted`: a message that was deleted for everyone before this device received it (no content).
   * - `tombstone`: the deletion itself; `target` is the deleted message (drop its content on screen).
   * - `commit`: an MLS handshake entry, for the crypto layer.
   */
  kind: "message" | "deleted" | "tombstone" | "commit";
  content?: MessageContent;
  undecryptable?: UndecryptableReason;
  /** For a tombstone: the deleted message. */
  target?: MessageId;
  /** The raw log entry (for the crypto layer). */
  entry: LogEntry;
}

/** The server's confirmation that one of this device's messages is stored: it is **sent**. */
export interface SentAck {
  conversationId: ConversationId;
  messageId: MessageId;
  seq: number;
  sentAt: string;
}

/** Why a queued message or deletion will not be stored: a server error code, or `client_closed`. */
export type SendFailureCode = ErrorCode | "client_closed" | "unexpected_response";

/** The rejection of a `sent` promise. */
export class SendError extends Error {
  readonly code: SendFailureCode;
  readonly messageId: MessageId;
  constructor(code: SendFailureCode, messageId: MessageId) {
    super(`message not sent: ${code}`);
    this.name = "SendError";
    this.code = code;
    this.messageId = messageId;
  }
}

/** What `send` and `deleteMessage` return at once: the new entry's id, and its ack to come. */
export interface Queued {
  /** The client-generated id (for a delete: the tombstone's id). Show the pending message under it. */
  messageId: MessageId;
  /** Settles when the server has stored it; rejects with {@link SendError} on a final refusal or `close()`. */
  sent: Promise<SentAck>;
}

/** The answer to {@link HearthClient.commit}: the new epoch, or a coded refusal. */
export type CommitResult =
  | { ok: true; seq: number; epoch: number }
  | { ok: false; code: string; epoch?: number };

/** Events of {@link HearthClient}. Listen with `client.on(name, listener)`. */
export interface HearthClientEvents {
  /** The connection state changed; `reason` says why it was lost or ended. */
  state: { oldState: State; newState: State; reason?: DisconnectReason };
  /** Signed in on the socket (before the backlog). */
  ready: { userId: UserId; deviceId: DeviceId };
  /** Everything missed while away has been delivered; live events follow and the outbox sends. */
  synced: undefined;
  /**
   * A log entry, exactly once per (conversation, seq) and in seq order per conversation — including
   * this user's own messages (`own`), from any of their devices. Match `messageId` against messages
   * shown as pending to avoid showing them twice.
   */
  message: ReceivedMessage;
  /** One of this device's messages or deletions is stored (its ack); the pending item is sent. */
  sent: SentAck;
  /** A queued message or deletion was refused for good (coded) and will not be retried. */
  failed: { conversationId: ConversationId; messageId: MessageId; code: SendFailureCode };
  /** A member's delivered or read watermark moved: they have everything up to `seq`. */
  receipt: { conversationId: ConversationId; userId: UserId; kind: "delivered" | "read"; seq: number };
  /** Someone started or stopped typing. `active: false` also comes by itself when the TTL runs out. */
  typing: { conversationId: ConversationId; userId: UserId; active: boolean };
  /** A contact came online or went offline. */
  presence: { userId: UserId; online: boolean };
  /** This user was added to a conversation; its entries follow as `message` events. */
  conversation: { conversationId: ConversationId };
  /** With encryption: a device joined a conversation's MLS group (yours or a member's). Tell the user. */
  "device-added": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  /** With encryption: a device left a conversation's MLS group (signed out or lost). */
  "device-removed": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  /**
   * With encryption: the server now names a different identity key for this user than the one
   * pinned here. Their new devices are refused until the user verifies them again.
   */
  "identity-changed": { userId: UserId };
  /**
   * With encryption: a device offered for a conversation is not certified by its user's pinned
   * identity key (`code` says why); it was not added.
   */
  "device-unverified": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId; code: string };
  /** An MLS welcome for this device (for the crypto layer). */
  welcome: { conversationId: ConversationId; seq: number; body: Uint8Array };
  /**
   * Something went wrong that the client handled: a server `error` frame not tied to a request (for
   * example a refused receipt), an unreadable server frame (`malformed_json`, `invalid_frame`), or
   * a failing local store (`store_error`). Informational; the client carries on.
   */
  error: { code: string; message: string };
}

/** Options of {@link HearthClient}. Only `baseUrl` and `token` are required. */
export interface HearthClientOptions {
  /** Base URL of the server (`http(s)://host:port`); the socket goes to `ws(s)://…/v1/ws`. */
  baseUrl: string;
  /** The device's session token (from login, setup or invite acceptance). */
  token: string;
  /** WebSocket constructor; defaults to `globalThis.WebSocket`. In Node, pass `ws`. */
  WebSocket?: WebSocketConstructor;
  /** `fetch`, to fill a sequence gap over HTTP; defaults to the global one (else gaps reconnect). */
  fetch?: typeof globalThis.fetch;
  /** Clock and timers; defaults to the platform's. */
  clock?: Clock;
  /** Random source in [0, 1) for backoff jitter; defaults to `Math.random`. */
  random?: () => number;
  /** Cursors, outbox and local messages; defaults to a {@link MemoryClientStore}. */
  store?: ClientStore;
  /**
   * Payload codec. Defaults to plain JSON, which is **for tests and benchmarks only** (the server
   * could read it); real clients pass `encryption` instead.
   */
  codec?: PayloadCodec;
  /**
   * End-to-end encryption (MLS + archive layer). Every message is encrypted; call
   * {@link HearthClient.setUpEncryption} once connected. Needs `fetch`.
   */
  encryption?: { keyStore: DeviceKeyStore };
  /** Reconnect backoff; default 250 ms to 30 s. */
  backoff?: BackoffOptions;
  /** An unanswered request (hello, send, delete, commit) recycles the socket after this. Default 15 s. */
  requestTimeoutMs?: number;
  /** Ping after this long without any frame from the server. Default 20 s. */
  heartbeatMs?: number;
  /** Reconnect if nothing at all arrives this long after a ping was due. Default 10 s. */
  heartbeatTimeoutMs?: number;
  /**
   * Sends in flight at once per conversation (conversations never wait for each other). Default 1:
   * strict order even when the server refuses one send transiently. Above 1, order still holds on
   * every path but one: a transient refusal (`rate_limited`, `internal`) of a message whose
   * successors in the same conversation were accepted.
   */
  maxInFlightPerConversation?: number;
  /** Delivered receipts are batched for this long. Default 50 ms. */
  receiptDelayMs?: number;
  /** After `setTyping(id, true)` with no further call for this long, send `active: false`. Default 5 s. */
  typingIdleMs?: number;
  /** Largest frame the server accepts; larger payloads are refused by `send`. Default 256 KiB. */
  maxFrameBytes?: number;
  /** Tell others what this user has read (else read receipts are private). Default true. */
  sendReadReceipts?: boolean;
  /** Send typing indicators. Default true. */
  sendTyping?: boolean;
}

interface Pending {
  resolve: (frame: ServerFrame) => void;
  reject: (err: Error) => void;
  timer: TimerHandle;
}

interface Resolved {
  baseUrl: string;
  token: string;
  store: ClientStore;
  codec: PayloadCodec;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  receiptDelayMs: number;
  typingIdleMs: number;
  maxFrameBytes: number;
  sendReadReceipts: boolean;
  sendTyping: boolean;
}

const OPEN = 1;
/** Refusals that say "not now" rather than "never": the item waits and is sent again. */
const TRANSIENT: ReadonlySet<string> = new Set(["rate_limited", "internal", "unauthenticated"]);
const RETRY_BACKOFF: BackoffOptions = { minMs: 200, maxMs: 10_000 };
const HISTORY_PAGE = 500;

class ConnectionLost extends Error {}

/**
 * The Hearth client: one WebSocket per device, an explicit state machine, resume from
 * per-conversation cursors, an outbox with idempotent retries, receipts, typing and presence.
 *
 * Guarantees:
 * - Each conversation's entries reach `message` listeners exactly once and in seq order, across
 *   reconnects, duplicates and gaps (a gap is filled over HTTP, or the client resumes from its cursor).
 * - A message handed to `send` is stored exactly once: it keeps its client-generated id, is sent
 *   again with the same id and bytes after every reconnect until the server acks it (a resend
 *   returns the original ack), and its conversation's later messages are stored after it.
 * - Conversations are independent: sends to different conversations are pipelined.
 *
 * @example
 * import WebSocket from "ws";
 * const client = new HearthClient({ baseUrl: "http://localhost:8080", token, WebSocket });
 * client.on("message", (m) => console.log(m.seq, m.content?.text));
 * client.connect();
 * const { messageId, sent } = await client.send(conversationId, { text: "Hello" });
 * console.log(messageId, "stored as seq", (await sent).seq);
 */
export class HearthClient extends Emitter<HearthClientEvents> {
  readonly #o: Resolved;
  readonly #WebSocket: WebSocketConstructor;
  readonly #api: HearthApi | undefined;
  #state: State = State.Disconnected;
  #ws: WebSocketLike | undefined;
  #attempt = 0;
  #reconnectTimer: TimerHandle;
  #heartbeatTimer: TimerHandle;
  #lastFrameAt = 0;
  #lastPingAt = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #seq = new InboundSequencer();
  #loaded: Promise<void> | undefined;
  readonly #outbox: Outbox;
  readonly #waiters = new Map<string, { resolve: (a: SentAck) => void; reject: (e: Error) => void }>();
  #sendRetries = 0;
  #sendPausedTimer: TimerHandle;
  #sendPaused = false;
  #inbound: Promise<void> = Promise.resolve();
  readonly #receiptsSent = new Map<string, number>();
  readonly #receiptsWanted = new Map<
    string,
    { conversationId: ConversationId; kind: "delivered" | "read"; seq: number }
  >();
  #receiptTimer: TimerHandle;
  readonly #typingOut = new Map<string, { active: boolean; lastActiveAt: number; idle: TimerHandle }>();
  readonly #typingIn = new Map<string, TimerHandle>();
  #userId: UserId | undefined;
  #deviceId: DeviceId | undefined;
  readonly #e2ee: E2eeSession | undefined;

  constructor(options: HearthClientOptions) {
    super();
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error("No WebSocket implementation: pass options.WebSocket");
    this.#WebSocket = WS;
    const baseUrl = options.baseUrl.replace(/\/$/, "");
    this.#o = {
      baseUrl,
      token: options.token,
      store: options.store ?? new MemoryClientStore(),
      codec: options.codec ?? jsonCodec,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      backoff: options.backoff ?? { minMs: 250, maxMs: 30_000 },
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      heartbeatMs: options.heartbeatMs ?? 20_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
      receiptDelayMs: options.receiptDelayMs ?? 50,
      typingIdleMs: options.typingIdleMs ?? 5_000,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      sendReadReceipts: options.sendReadReceipts ?? true,
      sendTyping: options.sendTyping ?? true,
    };
    fullJitterDelay(0, this.#o.backoff); // validates the bounds now, not at the first reconnect
    this.#outbox = new Outbox(options.maxInFlightPerConversation ?? 1);
    const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
    this.#api = fetchFn ? new HearthApi({ baseUrl, token: options.token, fetch: fetchFn }) : undefined;
    if (options.encryption) {
      if (options.codec) throw new Error("Pass either codec or encryption, not both.");
      if (!this.#api) throw new Error("Encryption needs fetch: pass options.fetch");
      const api = this.#api;
      this.#e2ee = new E2eeSession(options.encryption.keyStore, {
        api,
        commit: (f) => this.commit(f),
        welcomeProcessed: (cid) => this.welcomeProcessed(cid),
        emit: (name, payload) => (this.emit as (n: string, p: unknown) => void)(name, payload),
      });
      this.#o.codec = this.#e2ee;
    }
  }

  /** The current connection state. */
  get state(): State {
    return this.#state;
  }
  /** This device's user, once `ready`. */
  get userId(): UserId | undefined {
    return this.#userId;
  }
  /** This device, once `ready`. */
  get deviceId(): DeviceId | undefined {
    return this.#deviceId;
  }
  /** The last seq delivered to the app in a conversation (0: none yet). */
  cursor(conversationId: ConversationId | string): number {
    return this.#seq.cursor(conversationId);
  }
  /** Messages and deletions handed to `send`/`deleteMessage` and not yet acked or refused. */
  get outboxSize(): number {
    return this.#outbox.size;
  }
  /** Items still waiting for their ack, in send order per conversation (to show as pending). */
  pendingItems(): OutboxItem[] {
    return this.#outbox.items();
  }
  /** Delivered messages kept in the local store, oldest first (see {@link ClientStore.loadMessages}). */
  localMessages(
    conversationId: ConversationId,
    opts?: { beforeSeq?: number; limit?: number },
  ): Promise<StoredMessage[]> {
    return this.#o.store.loadMessages(conversationId, opts);
  }

  // ---------------------------------------------------------------- connection

  #setState(newState: State, reason?: DisconnectReason) {
    if (newState === this.#state) return;
    const oldState = this.#state;
    this.#state = newState;
    this.emit("state", reason ? { oldState, newState, reason } : { oldState, newState });
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      this.#seq.merge(await this.#o.store.loadCursors());
      this.#outbox.add(...(await this.#o.store.loadOutbox()));
      // Keys left by an earlier session: decrypt the backlog even before setUpEncryption() runs.
      await this.#e2ee?.resume();
    })();
    this.#loaded.catch(() => {
      this.#loaded = undefined; // try again on the next connection attempt
    });
    return this.#loaded;
  }

  /**
   * Opens the connection and keeps it open — reconnecting with backoff after every loss — until
   * `close()` or a refused token. While waiting to reconnect, calling it again reconnects at once.
   * Throws if the client is closed (create a new one).
   */
  connect(): void {
    if (this.#state === State.Closed) throw new Error("This client is closed; create a new one.");
    if (this.#state !== State.Disconnected) return;
    this.#o.clock.clearTimeout(this.#reconnectTimer);
    void this.#open();
  }

  async #open() {
    this.#setState(State.Connecting);
    try {
      await this.#load();
    } catch (err) {
      this.emit("error", { code: "store_error", message: String(err) });
      this.#lost("store_error");
      return;
    }
    if (this.#state !== State.Connecting) return;
    const url = `${this.#o.baseUrl.replace(/^http/, "ws")}${WS_PATH}`;
    let ws: WebSocketLike;
    try {
      ws = new this.#WebSocket(url, WS_SUBPROTOCOL);
    } catch {
      this.#lost("network");
      return;
    }
    this.#ws = ws;
    this.#lastFrameAt = this.#o.clock.now();
    this.#startHeartbeat();
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.#setState(State.Authenticating);
      const hello = { type: "hello", token: this.#o.token, cursors: this.#seq.snapshot() };
      this.#request(hello).then(
        (answer) => {
          if (answer.type === "ready") this.#onReady(answer);
          else if (answer.type === "error" && answer.code === "token_invalid") this.#end("token_invalid");
          else this.#recycle("protocol_error");
        },
        () => undefined, // connection lost: #lost has already decided what happens next
      );
    };
    ws.onmessage = (ev) => {
      if (this.#ws !== ws) return;
      this.#lastFrameAt = this.#o.clock.now();
      const raw = typeof ev.data === "string" ? ev.data : String(ev.data);
      const r = parseServerFrame(raw);
      if (!r.ok) {
        // A frame we cannot read is skipped; if it was a log entry, the next one shows a gap.
        this.emit("error", {
          code: r.code,
          message: `unreadable server frame${r.path ? ` at ${r.path}` : ""}`,
        });
        return;
      }
      this.#onFrame(r.value);
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      // One reading of close codes for both sides: @hearth/protocol's closeReason.
      const reason = closeReason(ev.code);
      if (reason === "token_invalid") this.#end(reason);
      else this.#lost(reason);
    };
    ws.onerror = () => {
      // onclose follows and decides.
    };
  }

  #onReady(f: Extract<ServerFrame, { type: "ready" }>) {
    this.#userId = f.userId;
    this.#deviceId = f.deviceId;
    this.#e2ee?.signedInAs(f.userId, f.deviceId);
    this.#setState(State.Syncing);
    this.emit("ready", { userId: f.userId, deviceId: f.deviceId });
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
      if (silent > heartbeatMs + heartbeatTimeoutMs) return this.#recycle("heartbeat_timeout");
      if (silent >= heartbeatMs && now - this.#lastPingAt >= heartbeatMs) {
        this.#lastPingAt = now;
        this.#raw({ type: "ping", id: this.#nextId++ });
      }
      this.#heartbeatTimer = clock.setTimeout(check, tick);
    };
    clock.clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = clock.setTimeout(check, tick);
  }

  #raw(frame: Record<string, unknown>): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with a fresh request id; settles with the answer, or rejects when the socket goes. */
  #request(frame: Record<string, unknown>): Promise<ServerFrame> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.#o.clock.setTimeout(() => {
        this.#pending.delete(id);
        reject(new ConnectionLost("request timeout"));
        this.#recycle("request_timeout");
      }, this.#o.requestTimeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      if (!this.#raw({ ...frame, id })) {
        this.#o.clock.clearTimeout(timer);
        this.#pending.delete(id);
        reject(new ConnectionLost("not connected"));
      }
    });
  }

  /** Drops the socket and reconnects (after a timeout or an unfillable gap). */
  #recycle(reason: DisconnectReason) {
    const ws = this.#ws;
    if (!ws) return;
    this.#lost(reason);
    try {
      ws.close(CloseCode.protocolError, reason);
    } catch {
      // already closing
    }
  }

  #teardown(): WebSocketLike | undefined {
    const { clock } = this.#o;
    clock.clearTimeout(this.#heartbeatTimer);
    clock.clearTimeout(this.#sendPausedTimer);
    this.#sendPaused = false;
    for (const p of this.#pending.values()) {
      clock.clearTimeout(p.timer);
      p.reject(new ConnectionLost("connection lost"));
    }
    this.#pending.clear();
    // Whatever was in flight may or may not be stored; it goes again with the same id (idempotent).
    this.#outbox.releaseAll();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = null;
      ws.onclose = null;
    }
    return ws;
  }

  #lost(reason: DisconnectReason) {
    if (this.#state === State.Closed) return;
    this.#teardown();
    this.#setState(State.Disconnected, reason);
    const delay = fullJitterDelay(this.#attempt++, this.#o.backoff, this.#o.random);
    this.#o.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = this.#o.clock.setTimeout(() => {
      if (this.#state === State.Disconnected) void this.#open();
    }, delay);
  }

  #end(reason: DisconnectReason) {
    if (this.#state === State.Closed) return;
    const { clock } = this.#o;
    clock.clearTimeout(this.#reconnectTimer);
    clock.clearTimeout(this.#receiptTimer);
    for (const t of this.#typingIn.values()) clock.clearTimeout(t);
    this.#typingIn.clear();
    for (const t of this.#typingOut.values()) clock.clearTimeout(t.idle);
    this.#typingOut.clear();
    const ws = this.#teardown();
    if (ws && ws.readyState <= OPEN) ws.close(CloseCode.normal, "bye");
    this.#setState(State.Closed, reason);
    // The items stay in the store's outbox for the next client; these promises end here.
    for (const [messageId, w] of this.#waiters)
      w.reject(new SendError("client_closed", messageId as MessageId));
    this.#waiters.clear();
  }

  /**
   * Closes for good (state `closed`, reason `client_closed`). Unacked items stay in the store's
   * outbox, so a new client over the same store sends them; their `sent` promises here reject with
   * `client_closed`.
   */
  close(): void {
    this.#end("client_closed");
  }

  // ---------------------------------------------------------------- outbox

  /**
   * Queues a message: encodes it once with the codec, stores it in the outbox, and sends it as soon
   * as the client is `connected`. Resolves once it is queued; `sent` settles with the ack.
   * Throws (misuse) if the client is closed or the content is too large for a frame.
   */
  async send(conversationId: ConversationId, content: MessageContent): Promise<Queued> {
    if (this.#state === State.Closed) throw new Error("This client is closed.");
    const messageId = newId("msg");
    const payload = await this.#o.codec.encode(content, { conversationId, messageId });
    const body = bytesToBase64(payload);
    // Frame overhead (type, ids, request id) is well under 256 bytes.
    if (body.length + 256 > this.#o.maxFrameBytes) throw new RangeError("message too large for one frame");
    this.#stopTypingOnSend(conversationId);
    return this.#enqueue({ kind: "send", conversationId, messageId, body });
  }

  /** Deletes one of this user's messages for everyone: a tombstone entry is queued like a message. */
  async deleteMessage(conversationId: ConversationId, target: MessageId): Promise<Queued> {
    if (this.#state === State.Closed) throw new Error("This client is closed.");
    return this.#enqueue({ kind: "delete", conversationId, messageId: newId("msg"), target });
  }

  async #enqueue(partial: Omit<OutboxItem, "createdAt" | "position">): Promise<Queued> {
    await this.#load();
    const now = this.#o.clock.now();
    const item: OutboxItem = { ...partial, createdAt: now, position: this.#outbox.nextPosition(now) };
    const sent = new Promise<SentAck>((resolve, reject) => {
      this.#waiters.set(item.messageId, { resolve, reject });
    });
    sent.catch(() => undefined); // the caller may ignore `sent`; a rejection must not go unhandled
    await this.#o.store.putOutbox(item);
    this.#outbox.add(item);
    this.#flush();
    return { messageId: item.messageId, sent };
  }

  /** Sends what the outbox hands out. Only when `connected`: the server knows every conversation by then. */
  #flush() {
    if (this.#state !== State.Connected || this.#sendPaused) return;
    for (const item of this.#outbox.take()) {
      const frame =
        item.kind === "send"
          ? { type: "send", conversationId: item.conversationId, messageId: item.messageId, body: item.body }
          : {
              type: "delete",
              conversationId: item.conversationId,
              messageId: item.target,
              tombstoneId: item.messageId,
            };
      this.#request(frame).then(
        (answer) => this.#onOutboxAnswer(item, answer),
        () => undefined, // connection lost: the item was released and goes again on the next socket
      );
    }
  }

  #onOutboxAnswer(item: OutboxItem, answer: ServerFrame) {
    if (answer.type === "ack" && answer.seq !== undefined && answer.sentAt !== undefined) {
      this.#sendRetries = 0;
      const ack: SentAck = {
        conversationId: item.conversationId,
        messageId: item.messageId,
        seq: answer.seq,
        sentAt: answer.sentAt,
      };
      return this.#settle(item, ack);
    }
    if (answer.type === "error" && TRANSIENT.has(answer.code)) {
      // Not now: wait (with backoff, for every conversation: the limit is per connection), then resend.
      this.#outbox.release(item.messageId);
      if (this.#sendPaused) return;
      this.#sendPaused = true;
      this.#sendPausedTimer = this.#o.clock.setTimeout(
        () => {
          this.#sendPaused = false;
          this.#flush();
        },
        fullJitterDelay(this.#sendRetries++, RETRY_BACKOFF, this.#o.random),
      );
      return;
    }
    const code = answer.type === "error" ? answer.code : "unexpected_response";
    this.#settle(item, undefined, code as SendFailureCode);
  }

  #settle(item: OutboxItem, ack: SentAck | undefined, code?: SendFailureCode) {
    if (!this.#outbox.settle(item.messageId)) return;
    this.#flush(); // the conversation's next item may go now
    const w = this.#waiters.get(item.messageId);
    this.#waiters.delete(item.messageId);
    this.#o.store.removeOutbox(item.messageId).catch((err: unknown) => {
      // Harmless: a stale outbox item is resent later and the server answers with the same ack.
      this.emit("error", { code: "store_error", message: String(err) });
    });
    if (ack) {
      this.emit("sent", ack);
      w?.resolve(ack);
    } else {
      const failure = code ?? "unexpected_response";
      this.emit("failed", { conversationId: item.conversationId, messageId: item.messageId, code: failure });
      w?.reject(new SendError(failure, item.messageId));
    }
  }

  // ---------------------------------------------------------------- inbound

  #onFrame(f: ServerFrame) {
    if ("id" in f && f.id !== undefined) {
      const p = this.#pending.get(f.id);
      if (p) {
        this.#o.clock.clearTimeout(p.timer);
        this.#pending.delete(f.id);
        p.resolve(f);
        return;
      }
    }
    switch (f.type) {
      case "message":
        return this.#inboundJob(() => this.#receive(f.entry));
      case "synced":
        return this.#inboundJob(async () => {
          this.#attempt = 0; // only a connection that got this far resets the backoff
          this.#setState(State.Connected);
          this.emit("synced", undefined);
          this.#flush();
          this.#flushReceipts();
          void this.#e2ee?.reconcileAll().catch(() => undefined);
        });
      case "receipt":
        return this.emit("receipt", {
          conversationId: f.conversationId,
          userId: f.userId,
          kind: f.kind,
          seq: f.seq,
        });
      case "typing":
        return this.#onTyping(f.conversationId, f.userId, f.active, f.ttlMs);
      case "presence":
        return this.emit("presence", { userId: f.userId, online: f.online });
      case "conversation":
        this.#e2ee?.scheduleReconcile(f.conversationId);
        return this.emit("conversation", { conversationId: f.conversationId });
      case "devices":
        return this.#e2ee?.scheduleReconcile(f.conversationId);
      case "welcome":
        return this.#inboundJob(async () => {
          const body = base64ToBytes(f.body);
          await this.#e2ee?.onWelcome(f.conversationId, f.seq, body);
          this.emit("welcome", { conversationId: f.conversationId, seq: f.seq, body });
        });
      case "error":
        if (f.code === "token_invalid") return this.#end("token_invalid");
        return this.emit("error", { code: f.code, message: f.message });
      default:
        // ready/ack/pong for a request that already timed out: nothing to do.
        return;
    }
  }

  /** Inbound work runs one job at a time, so async decoding and gap filling never reorder entries. */
  #inboundJob(job: () => Promise<void>) {
    const socket = this.#ws;
    this.#inbound = this.#inbound
      .then(async () => {
        if (this.#ws !== socket) return;
        await job();
      })
      .catch((err: unknown) => {
        this.emit("error", { code: "store_error", message: String(err) });
        this.#recycle("store_error");
      });
  }

  async #receive(entry: LogEntry) {
    const cid = entry.conversationId;
    const verdict = this.#seq.check(cid, entry.seq);
    if (verdict === "duplicate") return;
    if (verdict === "gap" && !(await this.#fillGap(cid, entry.seq - 1))) {
      // Resume from the cursor on a fresh socket rather than deliver out of order.
      this.#recycle("sequence_gap");
      return;
    }
    if (this.#seq.check(cid, entry.seq) === "deliver") await this.#deliver(entry);
  }

  /** Reads the missing entries (cursor, upTo] over HTTP and delivers them. False if it could not. */
  async #fillGap(conversationId: ConversationId, upTo: number): Promise<boolean> {
    if (!this.#api) return false;
    while (this.#seq.cursor(conversationId) < upTo) {
      const after = this.#seq.cursor(conversationId);
      let raw: unknown;
      try {
        raw = await this.#api.history(conversationId, after, Math.min(HISTORY_PAGE, upTo - after));
      } catch {
        return false;
      }
      const list = (raw as { entries?: unknown } | null)?.entries;
      if (!Array.isArray(list) || list.length === 0) return false;
      for (const item of list as unknown[]) {
        const r = parse(LogEntrySchema, item);
        if (!r.ok || r.value.conversationId !== conversationId) return false;
        if (r.value.seq > upTo) break;
        if (this.#seq.check(conversationId, r.value.seq) === "deliver") await this.#deliver(r.value);
      }
      if (this.#seq.cursor(conversationId) === after) return false;
    }
    return true;
  }

  async #deliver(entry: LogEntry) {
    const base = {
      conversationId: entry.conversationId,
      seq: entry.seq,
      messageId: entry.messageId,
      senderId: entry.senderId,
      senderDeviceId: entry.senderDeviceId,
      sentAt: entry.sentAt,
    };
    let stored: StoredMessage;
    if (entry.kind === "delete") {
      stored = entry.target
        ? { ...base, kind: "tombstone", target: entry.target }
        : { ...base, kind: "tombstone" };
    } else if (entry.kind === "commit") {
      await this.#e2ee?.onCommit(entry);
      stored = { ...base, kind: "commit" };
    } else if (entry.deleted || entry.body === undefined) {
      stored = { ...base, kind: "deleted" };
    } else {
      const content = await this.#decode(entry.body, {
        conversationId: entry.conversationId,
        messageId: entry.messageId,
        senderId: entry.senderId,
        senderDeviceId: entry.senderDeviceId,
      });
      stored =
        "reason" in content
          ? { ...base, kind: "message", undecryptable: content.reason }
          : { ...base, kind: "message", content };
    }
    // The decode above may have awaited: check again that nothing else delivered this seq meanwhile.
    if (this.#seq.check(entry.conversationId, entry.seq) !== "deliver") return;
    this.#seq.advance(entry.conversationId, entry.seq);
    await this.#o.store.saveDelivered(stored);
    this.emit("message", { ...stored, own: entry.senderId === this.#userId, entry });
    this.#wantReceipt(entry.conversationId, "delivered", entry.seq);
  }

  async #decode(
    body: string,
    ctx: Parameters<PayloadCodec["decode"]>[1],
  ): Promise<MessageContent | { reason: UndecryptableReason }> {
    try {
      const r = await this.#o.codec.decode(base64ToBytes(body), ctx);
      return r.ok ? r.content : { reason: r.reason };
    } catch {
      return { reason: "codec_error" };
    }
  }

  // ---------------------------------------------------------------- receipts

  /** Receipts are watermarks: only the highest per (conversation, kind) goes, batched. */
  #wantReceipt(conversationId: ConversationId, kind: "delivered" | "read", seq: number) {
    const key = `${kind}|${conversationId}`;
    if ((this.#receiptsSent.get(key) ?? 0) >= seq) return;
    const have = this.#receiptsWanted.get(key);
    if (!have || have.seq < seq) this.#receiptsWanted.set(key, { conversationId, kind, seq });
    if (this.#receiptTimer !== undefined) return;
    this.#receiptTimer = this.#o.clock.setTimeout(() => {
      this.#receiptTimer = undefined;
      this.#flushReceipts();
    }, this.#o.receiptDelayMs);
  }

  #flushReceipts() {
    // Not while syncing: the server may not be following every conversation on this socket yet,
    // and a watermark loses nothing by waiting for `synced`.
    if (this.#state !== State.Connected) return;
    for (const [key, r] of this.#receiptsWanted) {
      const frame: Record<string, unknown> = {
        type: "receipt",
        conversationId: r.conversationId,
        kind: r.kind,
        seq: r.seq,
      };
      if (r.kind === "read" && !this.#o.sendReadReceipts) frame.private = true;
      if (!this.#raw(frame)) return; // not connected: kept, sent after the next sync
      this.#receiptsSent.set(key, r.seq);
      this.#receiptsWanted.delete(key);
    }
  }

  /**
   * Marks everything up to `seq` in a conversation as read by this user. A watermark: a lower or
   * repeated seq is ignored, seqs beyond what this device has are clamped. When read receipts are
   * off, the receipt is private (it syncs this user's devices and unread counts, and tells no one).
   */
  markRead(conversationId: ConversationId, seq: number): void {
    const upTo = Math.min(Math.floor(seq), this.cursor(conversationId));
    if (upTo < 1) return;
    this.#wantReceipt(conversationId, "read", upTo);
  }

  // ---------------------------------------------------------------- typing

  /**
   * Says this user is typing (call on every keystroke) or stopped. At most one `active: true` goes
   * per TYPING_REFRESH_MS per conversation; `active: false` goes by itself after `typingIdleMs`
   * without a call, and when a message is sent. A no-op when typing indicators are off.
   */
  setTyping(conversationId: ConversationId, active: boolean): void {
    if (!this.#o.sendTyping) return;
    const { clock } = this.#o;
    const now = clock.now();
    let t = this.#typingOut.get(conversationId);
    if (!t) {
      t = { active: false, lastActiveAt: Number.NEGATIVE_INFINITY, idle: undefined };
      this.#typingOut.set(conversationId, t);
    }
    clock.clearTimeout(t.idle);
    t.idle = undefined;
    if (active) {
      t.idle = clock.setTimeout(() => this.setTyping(conversationId, false), this.#o.typingIdleMs);
      // Throttle refreshes only while "typing" stands; after a stop (e.g. on send) start again at once.
      if (t.active && now - t.lastActiveAt < TYPING_REFRESH_MS) return;
      if (this.#raw({ type: "typing", conversationId, active: true })) {
        t.active = true;
        t.lastActiveAt = now;
      }
    } else {
      if (t.active) this.#raw({ type: "typing", conversationId, active: false });
      t.active = false;
    }
  }

  #stopTypingOnSend(conversationId: ConversationId) {
    if (this.#typingOut.get(conversationId)?.active) this.setTyping(conversationId, false);
  }

  #onTyping(conversationId: ConversationId, userId: UserId, active: boolean, ttlMs: number) {
    const { clock } = this.#o;
    const key = `${conversationId}|${userId}`;
    const wasActive = this.#typingIn.has(key);
    clock.clearTimeout(this.#typingIn.get(key));
    this.#typingIn.delete(key);
    if (active) {
      const ttl = ttlMs > 0 ? ttlMs : TYPING_TTL_MS;
      this.#typingIn.set(
        key,
        clock.setTimeout(() => {
          this.#typingIn.delete(key);
          this.emit("typing", { conversationId, userId, active: false });
        }, ttl),
      );
      if (!wasActive) this.emit("typing", { conversationId, userId, active: true });
    } else if (wasActive) {
      this.emit("typing", { conversationId, userId, active: false });
    }
  }

  /** Privacy settings, changeable at any time (they apply to receipts and typing sent from now on). */
  setPrivacy(settings: { sendReadReceipts?: boolean; sendTyping?: boolean }): void {
    if (settings.sendReadReceipts !== undefined) this.#o.sendReadReceipts = settings.sendReadReceipts;
    if (settings.sendTyping === false) {
      for (const cid of this.#typingOut.keys()) this.setTyping(cid as ConversationId, false);
    }
    if (settings.sendTyping !== undefined) this.#o.sendTyping = settings.sendTyping;
  }

  // ---------------------------------------------------------------- MLS hooks (for the crypto layer)

  /**
   * Sends an MLS commit made in `epoch`. Resolves with the new epoch, or a coded refusal
   * (`stale_commit` with the current epoch, or `connection_lost`). Not queued: the crypto layer
   * decides what to do when it fails.
   */
  async commit(frame: {
    conversationId: ConversationId;
    epoch: number;
    body: Uint8Array;
    welcomes?: { deviceId: DeviceId; body: Uint8Array }[];
    groupInfo?: Uint8Array;
  }): Promise<CommitResult> {
    let answer: ServerFrame;
    try {
      answer = await this.#request({
        type: "commit",
        conversationId: frame.conversationId,
        messageId: newId("msg"),
        epoch: frame.epoch,
        body: bytesToBase64(frame.body),
        ...(frame.welcomes
          ? { welcomes: frame.welcomes.map((w) => ({ deviceId: w.deviceId, body: bytesToBase64(w.body) })) }
          : {}),
        ...(frame.groupInfo ? { groupInfo: bytesToBase64(frame.groupInfo) } : {}),
      });
    } catch {
      return { ok: false, code: "connection_lost" };
    }
    if (answer.type === "ack" && answer.seq !== undefined && answer.epoch !== undefined) {
      return { ok: true, seq: answer.seq, epoch: answer.epoch };
    }
    if (answer.type === "error") {
      return answer.epoch === undefined
        ? { ok: false, code: answer.code }
        : { ok: false, code: answer.code, epoch: answer.epoch };
    }
    return { ok: false, code: "unexpected_response" };
  }

  /** Tells the server this device has joined from its welcome (it may forget it). */
  welcomeProcessed(conversationId: ConversationId): void {
    this.#raw({ type: "welcome_ack", conversationId });
  }

  // ---------------------------------------------------------------- end-to-end encryption

  #requireE2ee(): E2eeSession {
    if (!this.#e2ee) throw new Error("Encryption is off: pass options.encryption");
    return this.#e2ee;
  }

  /**
   * Prepares this device for end-to-end encryption. The first device of a user creates the
   * identity key and archive root and gets `new-identity` with the **recovery key, shown once**.
   * A device that already has its keys gets `ready`. A new device of a user who has an identity
   * gets `needs-history`: bring the keys with {@link HearthClient.startDeviceTransfer} or
   * {@link HearthClient.restoreFromRecoveryKey}. Once ready, the device publishes its key packages
   * and joins its conversations' MLS groups by itself.
   */
  async setUpEncryption(): Promise<EncryptionSetup> {
    const r = await this.#requireE2ee().setUp();
    if (r.kind !== "needs-history") void this.#e2ee?.reconcileAll().catch(() => undefined);
    return r;
  }

  /**
   * Restores the user's keys on this device from the recovery key (history included). Throws an
   * `EncryptionError` (`recovery_key_checksum`, `recovery_key_malformed`, `wrong_recovery_key`).
   */
  async restoreFromRecoveryKey(recoveryKey: string): Promise<void> {
    await this.#requireE2ee().restoreFromRecoveryKey(recoveryKey);
    void this.#e2ee?.reconcileAll().catch(() => undefined);
  }

  /**
   * The user's recovery key, shown again on a device that holds the keys (a settings screen:
   * "show my recovery key"). The same key as after sign-up; throws `not_set_up` on a device
   * without the keys.
   */
  recoveryKey(): Promise<string> {
    return this.#requireE2ee().recoveryKey();
  }

  /**
   * New device: starts a transfer from another device of the same user. Show `qrPayload` as a QR
   * code; `shortCode` resolves with the 6-digit code derived here once the other device sent the
   * keys (show it: it must equal the one the other device showed); `done` resolves once the keys
   * are installed (it rejects with an `EncryptionError` if the transfer fails or expires).
   */
  async startDeviceTransfer(options?: {
    /**
     * Strict mode (recommended): asked once the keys arrived; resolve with the code the user
     * **types** from the other device's screen. The keys are installed only if it matches
     * (`transfer_code_mismatch` otherwise), which also defeats a photographed QR code.
     */
    typedCode?: () => Promise<string>;
  }): Promise<{
    qrPayload: string;
    shortCode: Promise<string>;
    done: Promise<void>;
  }> {
    const t = await this.#requireE2ee().startTransfer(options?.typedCode);
    const done = t.done.then(() => {
      void this.#e2ee?.reconcileAll().catch(() => undefined);
    });
    done.catch(() => undefined);
    return { qrPayload: t.qrPayload, shortCode: t.shortCode, done };
  }

  /**
   * Existing device: after scanning the new device's QR code, returns the 6-digit `shortCode` to
   * show; `confirm()` sends the sealed keys through the server's transfer mailbox.
   */
  approveDeviceTransfer(qrPayload: string): Promise<{ shortCode: string; confirm(): Promise<void> }> {
    return this.#requireE2ee().approveTransfer(qrPayload);
  }

  /** The safety number (60 digits, grouped) and QR payload to compare with `userId` in person. */
  safetyNumber(userId: UserId): Promise<{ digits: string; qr: string }> {
    return this.#requireE2ee().safetyNumber(userId);
  }

  /**
   * Checks a safety-number QR code scanned from `userId`'s screen: true when it was made by the
   * identity key pinned here for them, about this user's identity key.
   */
  verifySafetyNumber(userId: UserId, scannedQr: string): Promise<boolean> {
    return this.#requireE2ee().verifySafetyQr(userId, scannedQr);
  }

  /** The devices in this device's MLS group for a conversation (what "who can read this" shows). */
  encryptionMembers(conversationId: ConversationId): Promise<{ userId: UserId; deviceId: DeviceId }[]> {
    return this.#requireE2ee().groupMembers(conversationId);
  }

  /** This device's MLS epoch in a conversation (`undefined` when it is not in the group yet). */
  encryptionEpoch(conversationId: ConversationId): Promise<number | undefined> {
    return this.#requireE2ee().groupEpoch(conversationId);
  }

  /** How many messages this device read through MLS and how many from the archive copy (diagnostics). */
  encryptionStats(): { mls: number; archive: number; staleCommits: number } {
    return { ...this.#requireE2ee().stats };
  }

  /**
   * Rotates this device's MLS keys in a conversation (an update commit: post-compromise
   * security). If another device's commit wins the epoch (`stale_commit`), the winner is processed
   * and the update is proposed again. Resolves with the epoch reached and the attempts it took.
   */
  rotateEncryptionKeys(conversationId: ConversationId): Promise<{ epoch: number; attempts: number }> {
    return this.#requireE2ee().rotate(conversationId);
  }

  /** Resolves once no group maintenance (adds, removes, updates) is running or queued. */
  encryptionIdle(): Promise<void> {
    return this.#e2ee ? this.#e2ee.idle() : Promise.resolve();
  }

  /**
   * Signs this device out: revokes its session on the server (its socket closes, the other
   * devices remove it from every group) and forgets every secret in the key store.
   */
  async signOut(): Promise<void> {
    if (!this.#api) throw new Error("signOut needs fetch: pass options.fetch");
    await this.#api.logout();
    this.close();
    await this.#e2ee?.wipe([]);
  }
}
