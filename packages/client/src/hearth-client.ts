import {
  type ConversationId,
  type DeviceId,
  type LogEntry,
  type MessageId,
  newId,
  parseServerFrame,
  type ServerFrame,
  TYPING_REFRESH_MS,
  type UserId,
  WS_PATH,
  WS_SUBPROTOCOL,
} from "@hearth/protocol";
import { type BackoffOptions, fullJitterDelay } from "./backoff.ts";
import { type ClientStore, MemoryClientStore, type OutboxItem } from "./client-store.ts";
import {
  base64ToPayload,
  jsonCodec,
  type MessageContent,
  type PayloadCodec,
  payloadToBase64,
  type UndecryptableReason,
} from "./codec.ts";
import { Emitter } from "./emitter.ts";

/** Connection states. `closed` is final: the token was refused, or `close()` was called. */
export enum State {
  Disconnected = "disconnected",
  Connecting = "connecting",
  Authenticating = "authenticating",
  Syncing = "syncing",
  Connected = "connected",
  Closed = "closed",
}

/** Why the connection was lost or ended (data, not exceptions). */
export type DisconnectReason =
  | "network"
  | "server_restart"
  | "heartbeat_timeout"
  | "request_timeout"
  | "sequence_gap"
  | "token_invalid"
  | "protocol_error"
  | "client_closed";

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

/** A message as the application sees it. */
export interface ReceivedMessage {
  conversationId: ConversationId;
  seq: number;
  messageId: MessageId;
  senderId: UserId;
  senderDeviceId: DeviceId;
  sentAt: string;
  /** Sent by this user (from this device or another of theirs). */
  own: boolean;
  /** `message`: content or an undecryptable reason; `deleted`: erased for everyone; `tombstone`: the deletion itself. */
  kind: "message" | "deleted" | "tombstone" | "commit";
  content?: MessageContent;
  undecryptable?: UndecryptableReason;
  /** For a tombstone: the deleted message. */
  target?: MessageId;
  /** The raw log entry (for the crypto layer). */
  entry: LogEntry;
}

/** The server's confirmation that a message is stored: it is **sent**. */
export interface SentAck {
  conversationId: ConversationId;
  messageId: MessageId;
  seq: number;
  sentAt: string;
}

/** Events of {@link HearthClient}; each is documented in docs/sdk.md. */
export interface HearthClientEvents {
  /** The connection state changed. */
  state: { oldState: State; newState: State; reason?: DisconnectReason };
  /** Signed in on the socket. */
  ready: { userId: UserId; deviceId: DeviceId };
  /** Everything missed while away has been delivered; live events follow. */
  synced: undefined;
  /** A log entry, in order, exactly once per conversation and seq. */
  message: ReceivedMessage;
  /** One of this device's messages is stored (its ack). */
  sent: SentAck;
  /** A message could not be sent and will not be retried (coded refusal). */
  failed: { conversationId: ConversationId; messageId: MessageId; code: string };
  /** A member's delivered/read watermark moved. */
  receipt: { conversationId: ConversationId; userId: UserId; kind: "delivered" | "read"; seq: number };
  /** Someone started or stopped typing (stopping includes expiry after the TTL). */
  typing: { conversationId: ConversationId; userId: UserId; active: boolean };
  /** A contact came online or went offline. */
  presence: { userId: UserId; online: boolean };
  /** This user was added to a conversation. */
  conversation: { conversationId: ConversationId };
  /** An MLS welcome for this device (for the crypto layer). */
  welcome: { conversationId: ConversationId; seq: number; body: Uint8Array };
  /** A server error frame not tied to a send (coded). */
  error: { code: string; message: string };
}

/** Options of {@link HearthClient}. */
export interface HearthClientOptions {
  /** Base URL of the server (`http(s)://host:port`). */
  baseUrl: string;
  /** The device's session token. */
  token: string;
  /** WebSocket constructor; defaults to `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Cursors and outbox; defaults to memory. */
  store?: ClientStore;
  /** Payload codec; defaults to plain JSON (replaced by the MLS codec for end-to-end encryption). */
  codec?: PayloadCodec;
  /** Reconnect backoff; default 250 ms .. 30 s. */
  backoff?: BackoffOptions;
  /** An unanswered request is given up after this long and the socket is recycled. Default 15 s. */
  requestTimeoutMs?: number;
  /** Ping when idle this long; reconnect if nothing arrives in twice this. Default 20 s. */
  heartbeatMs?: number;
  /** Send `read` receipts to others (else they stay private). Default true. */
  sendReadReceipts?: boolean;
  /** Send typing indicators. Default true. */
  sendTyping?: boolean;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

interface Pending {
  resolve: (frame: ServerFrame) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/**
 * The Hearth client: one WebSocket per device, an explicit state machine, resume from
 * per-conversation cursors, an outbox with idempotent retries, receipts and typing.
 *
 * Guarantees: each conversation's entries reach `message` listeners once and in seq order; a
 * message handed to `send` is retried with the same id until the server acks it (the server turns
 * retries into the original ack), so it is stored exactly once; sends are pipelined and keep their
 * order within a conversation.
 *
 * @example
 * import WebSocket from "ws";
 * const client = new HearthClient({ baseUrl: "http://localhost:8080", token, WebSocket });
 * client.on("message", (m) => console.log(m.content?.text));
 * client.connect();
 * const { sent } = await client.send(conversationId, { text: "Hello" });
 * console.log("stored as seq", (await sent).seq);
 */
export class HearthClient extends Emitter<HearthClientEvents> {
  readonly #o: Required<Omit<HearthClientOptions, "WebSocket" | "random">> & { random: () => number };
  readonly #WebSocket: WebSocketConstructor;
  #state: State = State.Disconnected;
  #ws: WebSocketLike | undefined;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #cursors = new Map<string, number>();
  #loaded: Promise<void> | undefined;
  #outbox: OutboxItem[] = [];
  readonly #waiters = new Map<string, { resolve: (a: SentAck) => void; reject: (e: Error) => void }>();
  readonly #inFlight = new Set<string>();
  #inbound: Promise<void> = Promise.resolve();
  readonly #deliveredSent = new Map<string, number>();
  readonly #deliveredWanted = new Map<string, number>();
  #receiptTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #typingSentAt = new Map<string, number>();
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #userId: UserId | undefined;
  #deviceId: DeviceId | undefined;

  constructor(options: HearthClientOptions) {
    super();
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error("No WebSocket implementation: pass options.WebSocket");
    this.#WebSocket = WS;
    this.#o = {
      baseUrl: options.baseUrl.replace(/\/$/, ""),
      token: options.token,
      store: options.store ?? new MemoryClientStore(),
      codec: options.codec ?? jsonCodec,
      backoff: options.backoff ?? { minMs: 250, maxMs: 30_000 },
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      heartbeatMs: options.heartbeatMs ?? 20_000,
      sendReadReceipts: options.sendReadReceipts ?? true,
      sendTyping: options.sendTyping ?? true,
      random: options.random ?? Math.random,
    };
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
  /** The last seq delivered to the app, per conversation. */
  cursor(conversationId: string): number {
    return this.#cursors.get(conversationId) ?? 0;
  }
  /** Messages handed to `send`/`delete` and not yet acked. */
  get outboxSize(): number {
    return this.#outbox.length;
  }

  #setState(newState: State, reason?: DisconnectReason) {
    if (newState === this.#state) return;
    const oldState = this.#state;
    this.#state = newState;
    this.emit("state", reason ? { oldState, newState, reason } : { oldState, newState });
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const cursors = await this.#o.store.loadCursors();
      for (const [k, v] of Object.entries(cursors))
        this.#cursors.set(k, Math.max(v, this.#cursors.get(k) ?? 0));
      const items = await this.#o.store.loadOutbox();
      const known = new Set(this.#outbox.map((i) => i.messageId));
      this.#outbox = [...items.filter((i) => !known.has(i.messageId)), ...this.#outbox].sort(
        (a, b) => a.createdAt - b.createdAt,
      );
    })();
    return this.#loaded;
  }

  /** Opens the connection (and keeps it open, reconnecting with backoff, until `close()`). */
  connect(): void {
    if (this.#state !== State.Disconnected) return;
    void this.#open();
  }

  async #open() {
    this.#setState(State.Connecting);
    await this.#load();
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
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.#setState(State.Authenticating);
      this.#lastFrameAt = Date.now();
      const hello = {
        type: "hello",
        id: this.#nextId++,
        token: this.#o.token,
        cursors: Object.fromEntries(this.#cursors),
      };
      ws.send(JSON.stringify(hello));
      this.#startHeartbeat();
    };
    ws.onmessage = (ev) => {
      if (this.#ws !== ws) return;
      this.#lastFrameAt = Date.now();
      const raw = typeof ev.data === "string" ? ev.data : String(ev.data);
      const r = parseServerFrame(raw);
      if (!r.ok) {
        this.emit("error", { code: r.code, message: "unreadable server frame" });
        return;
      }
      this.#onFrame(r.value);
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      if (ev.code === 4001) this.#end("token_invalid");
      else if (ev.code === 4000 || ev.code === 1009) this.#lost("protocol_error");
      else if (ev.code === 1001 || ev.code === 1012) this.#lost("server_restart");
      else this.#lost("network");
    };
    ws.onerror = () => {
      // onclose follows and decides.
    };
  }

  #startHeartbeat() {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(
      () => {
        const idle = Date.now() - this.#lastFrameAt;
        if (idle > this.#o.heartbeatMs * 2) return this.#recycle("heartbeat_timeout");
        if (idle >= this.#o.heartbeatMs) this.#raw({ type: "ping", id: this.#nextId++ });
      },
      Math.max(250, Math.floor(this.#o.heartbeatMs / 2)),
    );
  }

  #raw(frame: Record<string, unknown>) {
    const ws = this.#ws;
    if (ws && ws.readyState === OPEN) ws.send(JSON.stringify(frame));
  }

  #request(frame: Record<string, unknown>): Promise<ServerFrame> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#recycle("request_timeout");
      }, this.#o.requestTimeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.#raw({ ...frame, id });
    });
  }

  /** Drops the socket and reconnects (after a timeout or a detected gap). */
  #recycle(reason: DisconnectReason) {
    const ws = this.#ws;
    if (!ws) return;
    this.#lost(reason);
    try {
      ws.close(4000, reason);
    } catch {
      // already closing
    }
  }

  #teardown() {
    clearInterval(this.#heartbeat);
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#inFlight.clear();
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
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      if (this.#state === State.Disconnected) void this.#open();
    }, delay);
  }

  #end(reason: DisconnectReason) {
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#receiptTimer);
    for (const t of this.#typingTimers.values()) clearTimeout(t);
    this.#typingTimers.clear();
    const ws = this.#teardown();
    if (ws && ws.readyState <= OPEN) ws.close(1000, "bye");
    this.#setState(State.Closed, reason);
  }

  /** Closes for good. Unacked messages stay in the store's outbox. */
  close(): void {
    this.#end("client_closed");
  }

  /**
   * Queues a message. Resolves at once with its id and a `sent` promise that settles when the server
   * has stored it (rejects only on a coded, final refusal, or if the client is closed first).
   */
  async send(
    conversationId: ConversationId,
    content: MessageContent,
  ): Promise<{ messageId: MessageId; sent: Promise<SentAck> }> {
    const body = payloadToBase64(await this.#o.codec.encode(content, { conversationId }));
    return this.#enqueue({
      kind: "send",
      conversationId,
      messageId: newId("msg"),
      body,
      createdAt: Date.now(),
    });
  }

  /** Deletes one of this user's messages for everyone (a tombstone is appended). */
  async deleteMessage(conversationId: ConversationId, target: MessageId) {
    return this.#enqueue({
      kind: "delete",
      conversationId,
      messageId: newId("msg"),
      target,
      createdAt: Date.now(),
    });
  }

  async #enqueue(item: OutboxItem) {
    await this.#load();
    this.#outbox.push(item);
    await this.#o.store.putOutbox(item);
    const sent = new Promise<SentAck>((resolve, reject) => {
      this.#waiters.set(item.messageId, { resolve, reject });
    });
    sent.catch(() => undefined);
    this.#flush();
    return { messageId: item.messageId, sent };
  }

  /** Sends every outbox item not already in flight on this socket, oldest first. */
  #flush() {
    if (this.#state !== State.Syncing && this.#state !== State.Connected) return;
    for (const item of this.#outbox) {
      if (this.#inFlight.has(item.messageId)) continue;
      this.#inFlight.add(item.messageId);
      const frame =
        item.kind === "send"
          ? { type: "send", conversationId: item.conversationId, messageId: item.messageId, body: item.body }
          : {
              type: "delete",
              conversationId: item.conversationId,
              messageId: item.target,
              tombstoneId: item.messageId,
            };
      const socket = this.#ws;
      void this.#request(frame).then((answer) => {
        if (this.#ws !== socket) return;
        this.#inFlight.delete(item.messageId);
        if (answer.type === "ack" && answer.seq !== undefined && answer.sentAt !== undefined) {
          void this.#settle(item, {
            conversationId: item.conversationId,
            messageId: item.messageId,
            seq: answer.seq,
            sentAt: answer.sentAt,
          });
        } else if (answer.type === "error") {
          // Transient refusals are retried on the next connection; the rest are final.
          if (answer.code === "rate_limited" || answer.code === "internal") {
            setTimeout(() => this.#flush(), 1000);
            return;
          }
          void this.#settle(item, undefined, answer.code);
        }
      });
    }
  }

  async #settle(item: OutboxItem, ack: SentAck | undefined, code?: string) {
    const i = this.#outbox.indexOf(item);
    if (i < 0) return;
    this.#outbox.splice(i, 1);
    await this.#o.store.removeOutbox(item.messageId);
    const w = this.#waiters.get(item.messageId);
    this.#waiters.delete(item.messageId);
    if (ack) {
      this.emit("sent", ack);
      w?.resolve(ack);
    } else {
      const failure = {
        conversationId: item.conversationId,
        messageId: item.messageId,
        code: code ?? "unknown",
      };
      this.emit("failed", failure);
      w?.reject(Object.assign(new Error(`send refused: ${failure.code}`), { code: failure.code }));
    }
  }

  #onFrame(f: ServerFrame) {
    if ("id" in f && f.id !== undefined && f.type !== "ready") {
      const p = this.#pending.get(f.id);
      if (p) {
        clearTimeout(p.timer);
        this.#pending.delete(f.id);
        p.resolve(f);
        return;
      }
    }
    switch (f.type) {
      case "ready":
        this.#attempt = 0;
        this.#userId = f.userId;
        this.#deviceId = f.deviceId;
        this.#setState(State.Syncing);
        this.emit("ready", { userId: f.userId, deviceId: f.deviceId });
        this.#flush();
        return;
      case "message":
        return this.#inboundJob(() => this.#deliver(f.entry));
      case "synced":
        return this.#inboundJob(async () => {
          this.#setState(State.Connected);
          this.emit("synced", undefined);
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
        return this.emit("conversation", { conversationId: f.conversationId });
      case "welcome":
        return this.#inboundJob(async () =>
          this.emit("welcome", {
            conversationId: f.conversationId,
            seq: f.seq,
            body: base64ToPayload(f.body),
          }),
        );
      case "error":
        if (f.code === "token_invalid") return this.#end("token_invalid");
        return this.emit("error", { code: f.code, message: f.message });
      default:
        return;
    }
  }

  /** Inbound entries are decoded one at a time, so async decoding never reorders them. */
  #inboundJob(job: () => Promise<void>) {
    const socket = this.#ws;
    this.#inbound = this.#inbound.then(async () => {
      if (this.#ws !== socket) return;
      await job();
    });
    this.#inbound.catch(() => undefined);
  }

  async #deliver(entry: LogEntry) {
    const cid = entry.conversationId;
    const have = this.#cursors.get(cid) ?? 0;
    if (entry.seq <= have) return;
    if (entry.seq !== have + 1) {
      // The server sends each conversation in order; a gap means something was lost in between.
      // Resume from the cursor on a fresh socket rather than deliver out of order.
      this.#recycle("sequence_gap");
      return;
    }
    const own = entry.senderId === this.#userId;
    const base = {
      conversationId: cid,
      seq: entry.seq,
      messageId: entry.messageId,
      senderId: entry.senderId,
      senderDeviceId: entry.senderDeviceId,
      sentAt: entry.sentAt,
      own,
      entry,
    };
    let m: ReceivedMessage;
    if (entry.kind === "delete") {
      m = entry.target
        ? { ...base, kind: "tombstone", target: entry.target }
        : { ...base, kind: "tombstone" };
    } else if (entry.kind === "commit") {
      m = { ...base, kind: "commit" };
    } else if (entry.deleted || entry.body === undefined) {
      m = { ...base, kind: "deleted" };
    } else {
      const r = await this.#o.codec.decode(base64ToPayload(entry.body), {
        conversationId: cid,
        senderId: entry.senderId,
      });
      m = r.ok
        ? { ...base, kind: "message", content: r.content }
        : { ...base, kind: "message", undecryptable: r.reason };
    }
    this.#cursors.set(cid, entry.seq);
    await this.#o.store.saveCursor(cid, entry.seq);
    this.emit("message", m);
    this.#wantDelivered(cid, entry.seq);
  }

  /** Delivered receipts are watermarks: batch them, send the highest per conversation. */
  #wantDelivered(conversationId: string, seq: number) {
    this.#deliveredWanted.set(conversationId, seq);
    if (this.#receiptTimer) return;
    this.#receiptTimer = setTimeout(() => {
      this.#receiptTimer = undefined;
      for (const [cid, s] of this.#deliveredWanted) {
        if ((this.#deliveredSent.get(cid) ?? 0) >= s) continue;
        this.#deliveredSent.set(cid, s);
        this.#raw({ type: "receipt", conversationId: cid, kind: "delivered", seq: s });
      }
      this.#deliveredWanted.clear();
    }, 50);
  }

  /** Marks everything up to `seq` as read by this user (private if read receipts are off). */
  markRead(conversationId: ConversationId, seq: number): void {
    if (seq < 1 || seq > this.cursor(conversationId)) return;
    this.#raw({
      type: "receipt",
      conversationId,
      kind: "read",
      seq,
      ...(this.#o.sendReadReceipts ? {} : { private: true }),
    });
  }

  /** Says this user is (or stopped) typing; throttled, and a no-op when typing is turned off. */
  setTyping(conversationId: ConversationId, active: boolean): void {
    if (!this.#o.sendTyping) return;
    const last = this.#typingSentAt.get(conversationId) ?? 0;
    const now = Date.now();
    if (active && now - last < TYPING_REFRESH_MS) return;
    if (!active && last === 0) return;
    this.#typingSentAt.set(conversationId, active ? now : 0);
    this.#raw({ type: "typing", conversationId, active });
  }

  /** Privacy settings, changeable at any time. */
  setPrivacy(settings: { sendReadReceipts?: boolean; sendTyping?: boolean }): void {
    if (settings.sendReadReceipts !== undefined) this.#o.sendReadReceipts = settings.sendReadReceipts;
    if (settings.sendTyping !== undefined) this.#o.sendTyping = settings.sendTyping;
  }

  #onTyping(conversationId: ConversationId, userId: UserId, active: boolean, ttlMs: number) {
    const key = `${conversationId}|${userId}`;
    clearTimeout(this.#typingTimers.get(key));
    this.#typingTimers.delete(key);
    this.emit("typing", { conversationId, userId, active });
    if (active) {
      this.#typingTimers.set(
        key,
        setTimeout(() => {
          this.#typingTimers.delete(key);
          this.emit("typing", { conversationId, userId, active: false });
        }, ttlMs),
      );
    }
  }

  /** Sends an MLS commit (for the crypto layer); resolves with the server's answer frame. */
  commit(frame: {
    conversationId: ConversationId;
    epoch: number;
    body: Uint8Array;
    welcomes?: { deviceId: DeviceId; body: Uint8Array }[];
    groupInfo?: Uint8Array;
  }): Promise<ServerFrame> {
    return this.#request({
      type: "commit",
      conversationId: frame.conversationId,
      messageId: newId("msg"),
      epoch: frame.epoch,
      body: payloadToBase64(frame.body),
      ...(frame.welcomes
        ? { welcomes: frame.welcomes.map((w) => ({ deviceId: w.deviceId, body: payloadToBase64(w.body) })) }
        : {}),
      ...(frame.groupInfo ? { groupInfo: payloadToBase64(frame.groupInfo) } : {}),
    });
  }

  /** Tells the server this device has joined from its welcome. */
  welcomeProcessed(conversationId: ConversationId): void {
    this.#raw({ type: "welcome_ack", conversationId });
  }
}
