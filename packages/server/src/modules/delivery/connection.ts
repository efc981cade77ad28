import type { Duplex } from "node:stream";
import {
  type ClientFrame,
  CloseCode,
  type CloseCodeValue,
  type ConversationId,
  type ErrorCode,
  encodeServerFrame,
  type MessageId,
  parseClientFrame,
  type ServerFrame,
  type UserId,
} from "@hearth/protocol";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { type Bus, type BusEvent, conversationTopic, userTopic } from "../../bus/bus.ts";
import type { Clock, TimerHandle } from "../../clock.ts";
import type { ServerOptions } from "../../config.ts";
import { shortId } from "../../logger.ts";
import type { AuthService, Session } from "../auth/auth-service.ts";
import type { CallService } from "../calls/call-service.ts";
import { toLogEntry } from "../conversations/conversation-service.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { KeysService } from "../keys/keys-service.ts";
import type { ServerMetrics } from "../metrics/server-metrics.ts";
import type { ByteBudgets, SocketBudget } from "./byte-budget.ts";
import type { DeliveryService } from "./delivery-service.ts";
import type { PresenceService } from "./presence-service.ts";
import { encodeMessageFrame, encodeReceiptFrame, serverFrames } from "./server-frames.ts";
import type { Corked, TurnCork } from "./turn-cork.ts";

const SYNC_PAGE = 500;
/** A frame refused before decoding is parsed for its id only up to this size; past it, see idAtEdges. */
const PEEK_ID_MAX_BYTES = 4096;
const EDGE_BYTES = 64;

/**
 * The request id of a large frame without decoding it: a top-level `"id":N` among its first or last
 * bytes, where encoders put it (the SDK appends it). Best effort, like the error's id itself.
 */
function idAtEdges(data: Buffer): number | undefined {
  const head = data.toString("latin1", 0, EDGE_BYTES);
  const tail = data.toString("latin1", Math.max(EDGE_BYTES, data.byteLength - EDGE_BYTES));
  const m = /[{,]\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(`${head} ${tail}`);
  return m ? Number(m[1]) : undefined;
}

/** What every connection shares. */
export interface ConnectionDeps {
  conversations: ConversationStore;
  bus: Bus;
  auth: AuthService;
  delivery: DeliveryService;
  presence: PresenceService;
  keys: KeysService;
  /** Call control relay (issue 12). */
  calls: CallService;
  /** The frame and byte budgets every inbound frame is charged to. */
  budgets: ByteBudgets;
  clock: Clock;
  log: Logger;
  /** Frames received and errors answered are counted here (counts only). */
  metrics: ServerMetrics;
  options: Pick<
    ServerOptions,
    "maxFrameBytes" | "preHelloMaxFrameBytes" | "helloTimeoutMs" | "maxBufferedBytes" | "heartbeatMs"
  >;
}

/** The socket under a connection's WebSocket, and the turn cork its writes are held by. */
export interface ConnectionWrites {
  socket: Duplex;
  cork: TurnCork;
}

/** Corked bytes past which a socket's frames are written before the turn ends. */
const CORK_FLUSH_BYTES = 64 * 1024;

/** Text frame options for `ws.send` of an already-encoded frame (a Buffer is sent as text, not binary). */
const TEXT = { binary: false } as const;

/**
 * One device's socket. States: awaiting `hello` → live. Per conversation it keeps `sent`, the highest
 * seq this socket has been sent; every delivery (backlog and live) runs through one serial queue, so
 * a device receives each conversation's log exactly once and in order, whatever the timing of sync
 * and fan-out.
 */
export class Connection implements Corked {
  readonly #ws: WebSocket;
  readonly #writes: ConnectionWrites | undefined;
  #corked = false;
  readonly #d: ConnectionDeps;
  #session: Session | undefined;
  readonly #sent = new Map<ConversationId, number>();
  readonly #unsubscribe = new Map<string, () => void>();
  #queue: Promise<void> = Promise.resolve();
  /** Jobs in {@link Connection.#queue} that have not finished (0: the queue is idle). */
  #queued = 0;
  /** This socket's call frames, relayed one after another (see `call` in {@link Connection.#handle}). */
  #calls: Promise<unknown> = Promise.resolve();
  #helloTimer: TimerHandle;
  #closed = false;
  readonly #budget: SocketBudget;
  readonly #presenceSent = new Map<UserId, boolean>();

  /** `writes`: when given, frames to this socket in one event-loop turn go out in one write. */
  constructor(ws: WebSocket, deps: ConnectionDeps, writes?: ConnectionWrites) {
    this.#ws = ws;
    this.#d = deps;
    this.#writes = writes;
    this.#budget = deps.budgets.open();
    this.#helloTimer = deps.clock.setTimeout(
      () => this.#fail("hello_timeout", CloseCode.helloTimeout),
      deps.options.helloTimeoutMs,
    );
    ws.on("message", (data, isBinary) => this.#onRaw(data as Buffer, isBinary));
    ws.on("close", () => void this.#cleanup());
    ws.on("error", () => void this.#cleanup());
  }

  /** The signed-in device, once `hello` succeeded. */
  get deviceId() {
    return this.#session?.device.id;
  }

  /** Closes the socket (server shutdown). */
  close(code: CloseCodeValue = CloseCode.goingAway, reason = "server shutting down") {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(code, reason);
  }

  #send(frame: ServerFrame) {
    this.#sendText(encodeServerFrame(frame));
  }

  /**
   * Sends a frame already encoded by `encodeServerFrame` (a log entry's is encoded once, as UTF-8
   * bytes, for all sockets). The first frame of a turn corks the socket until the turn ends.
   */
  #sendText(text: string | Buffer) {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#ws.bufferedAmount > this.#d.options.maxBufferedBytes) {
      // A device that cannot keep up is dropped; it resumes from its cursors on reconnect.
      this.#d.log.warn({ device: shortId(this.deviceId) }, "slow consumer dropped");
      this.#ws.close(CloseCode.slowConsumer, "too slow");
      return;
    }
    if (this.#writes && !this.#corked) {
      this.#corked = true;
      this.#writes.socket.cork();
      this.#writes.cork.hold(this);
    }
    this.#ws.send(text, TEXT);
    // A large burst (a sync page) goes out as it grows, not only at the end of the turn.
    if (this.#corked && this.#writes && this.#writes.socket.writableLength >= CORK_FLUSH_BYTES) {
      this.#writes.socket.uncork();
      this.#writes.socket.cork();
    }
  }

  /** The turn ended: what this turn's frames wrote goes out now (see {@link TurnCork}). */
  uncork() {
    this.#corked = false;
    // A socket that ended or was destroyed meanwhile has nothing held: `end()` uncorks by itself.
    this.#writes?.socket.uncork();
  }

  #error(code: ErrorCode, id?: number, path?: string) {
    this.#d.metrics.errorAnswered(code, "ws");
    this.#send(serverFrames.error(code, { id, path }));
  }

  #fail(code: ErrorCode, closeCode: CloseCodeValue, id?: number) {
    this.#error(code, id);
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(closeCode, code);
  }

  #onRaw(data: Buffer, isBinary: boolean) {
    if (this.#closed) return;
    this.#d.metrics.frameReceived();
    if (!this.#session && data.byteLength > this.#d.options.preHelloMaxFrameBytes) {
      // Before `hello` the peer is nobody: a small limit, and a large frame ends the connection.
      this.#d.log.info({ code: "frame_too_large" }, "large frame before hello refused");
      return this.#fail("frame_too_large", CloseCode.tooBig);
    }
    // Every frame is charged before it is decoded (valid or not): one frame token, and its bytes
    // from this socket's and (after hello) this user's byte budgets. Over budget it is not processed.
    if (!this.#budget.charge(data.byteLength)) {
      const id = data.byteLength <= PEEK_ID_MAX_BYTES ? this.#peekId(data) : idAtEdges(data);
      this.#error("rate_limited", id);
      return;
    }
    if (isBinary) {
      // The protocol speaks text frames only; a binary one is refused whatever it holds.
      this.#d.log.info({ device: shortId(this.deviceId), code: "invalid_frame" }, "binary frame refused");
      this.#error("invalid_frame", this.#peekId(data));
      return;
    }
    const r = parseClientFrame(data.toString("utf8"), this.#d.options.maxFrameBytes);
    if (!r.ok) {
      // Logged with the code and the path only: never the frame, which may hold a token or ciphertext.
      this.#d.log.info({ device: shortId(this.deviceId), code: r.code, path: r.path }, "frame refused");
      const id = this.#peekId(data);
      this.#error(r.code, id, r.path);
      return;
    }
    this.#handle(r.value).catch((err: unknown) => {
      this.#d.log.error({ err, device: shortId(this.deviceId), frame: r.value.type }, "frame handler failed");
      this.#error("internal", "id" in r.value ? r.value.id : undefined);
    });
  }

  /** Best effort: the request id of a frame that failed validation, so the client can match the error. */
  #peekId(data: Buffer): number | undefined {
    if (data.byteLength > this.#d.options.maxFrameBytes) return undefined;
    try {
      const v: unknown = JSON.parse(data.toString("utf8"));
      const id = (v as { id?: unknown } | null)?.id;
      return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
    } catch {
      return undefined;
    }
  }

  async #handle(f: ClientFrame) {
    if (f.type === "hello") return this.#hello(f);
    const s = this.#session;
    if (!s) return this.#error("unauthenticated", "id" in f ? f.id : undefined);
    if (f.type === "ping") return this.#send(serverFrames.pong(f.id));
    switch (f.type) {
      case "send":
      case "delete": {
        if (!this.#sent.has(f.conversationId)) return this.#error("not_found", f.id, "conversationId");
        const r = await this.#d.delivery.append({
          conversationId: f.conversationId,
          messageId: f.type === "send" ? f.messageId : f.tombstoneId,
          senderId: s.user.id,
          senderDeviceId: s.device.id,
          kind: f.type === "send" ? "message" : "delete",
          body: f.type === "send" ? new Uint8Array(Buffer.from(f.body, "base64")) : null,
          target: f.type === "delete" ? f.messageId : null,
          blobIds: f.type === "send" ? f.blobIds : undefined,
        });
        if (!r.ok) return this.#error(r.code, f.id, "path" in r ? r.path : undefined);
        return this.#ack(f.id, r.entry);
      }
      case "commit": {
        if (!this.#sent.has(f.conversationId)) return this.#error("not_found", f.id, "conversationId");
        const welcomes = f.welcomes ?? [];
        const owners = welcomes.length > 0 ? await this.#d.keys.memberDevices(f.conversationId) : new Map();
        if (welcomes.some((w) => !owners.has(w.deviceId)))
          return this.#error("not_a_member_device", f.id, "welcomes");
        const r = await this.#d.delivery.append(
          {
            conversationId: f.conversationId,
            messageId: f.messageId,
            senderId: s.user.id,
            senderDeviceId: s.device.id,
            kind: "commit",
            body: new Uint8Array(Buffer.from(f.body, "base64")),
            target: null,
            epoch: f.epoch,
            welcomes: welcomes.map((w) => ({
              deviceId: w.deviceId,
              body: new Uint8Array(Buffer.from(w.body, "base64")),
            })),
            groupInfo: f.groupInfo ? new Uint8Array(Buffer.from(f.groupInfo, "base64")) : null,
          },
          owners,
        );
        if (!r.ok) {
          if (r.code === "stale_commit") {
            return this.#send(serverFrames.error("stale_commit", { id: f.id, epoch: r.epoch }));
          }
          return this.#error(r.code, f.id);
        }
        return this.#ack(f.id, r.entry);
      }
      case "welcome_ack": {
        if (!this.#sent.has(f.conversationId)) return this.#error("not_found", undefined, "conversationId");
        return this.#d.delivery.forgetWelcomes(s.device.id, f.conversationId);
      }
      case "receipt": {
        const sent = this.#sent.get(f.conversationId);
        if (sent === undefined) return this.#error("not_found", undefined, "conversationId");
        const r = await this.#d.delivery.receipt(
          { conversationId: f.conversationId, userId: s.user.id, kind: f.kind, seq: f.seq },
          f.private === true,
          sent,
        );
        if (!r.ok) this.#error(r.code, undefined, r.path);
        return;
      }
      case "typing": {
        if (!this.#sent.has(f.conversationId)) return this.#error("not_found", undefined, "conversationId");
        this.#d.delivery.typing(f.conversationId, s.user.id, s.device.id, f.active);
        return;
      }
      case "call": {
        // Membership: this socket follows exactly the conversations its user is a member of.
        if (!this.#sent.has(f.conversationId)) return this.#error("not_found", f.id, "conversationId");
        // In the order they came: an offer must reach the other device before its ICE candidates.
        const relayed = this.#calls.then(() => this.#d.calls.relay(s, f));
        this.#calls = relayed.then(
          () => undefined,
          () => undefined,
        );
        const refused = await relayed;
        if (refused) return this.#error(refused.code, f.id, refused.path);
        return this.#send({ type: "ack", id: f.id, conversationId: f.conversationId });
      }
    }
  }

  #ack(
    id: number,
    e: {
      conversationId: ConversationId;
      messageId: MessageId;
      seq: number;
      sentAt: string;
      epoch: number | null;
    },
  ) {
    this.#send(serverFrames.ack(id, e));
  }

  async #hello(f: Extract<ClientFrame, { type: "hello" }>) {
    if (this.#session) return this.#error("already_authenticated", f.id);
    const s = await this.#d.auth.authenticate(f.token);
    if (!s) return this.#fail("token_invalid", CloseCode.tokenInvalid, f.id);
    if (this.#closed) return;
    this.#d.clock.clearTimeout(this.#helloTimer);
    this.#session = s;
    this.#budget.bindUser(s.user.id);
    const mine = this.#d.bus.subscribe(userTopic(s.user.id), (e) => this.#onUserEvent(e));
    this.#unsubscribe.set(userTopic(s.user.id), mine.off);
    const welcomes = await this.#d.delivery.welcomesFor(s.device.id);
    const starts = await this.#d.delivery.startCursors(s.user.id, f.cursors as Record<string, number>);
    if (this.#closed) return;
    // Follow every conversation before `ready`: once the client hears `ready` it may send, and
    // everything from then on must reach this socket too. The backlog jobs run after `ready`.
    for (const c of starts) this.#watch(c.conversationId, c.cursor);
    this.#send(serverFrames.ready(f.id, s.user.id, s.device.id, new Date(), this.#d.options.heartbeatMs));
    // Welcomes first: a device must join a group before it can read the commits and messages after it.
    for (const w of welcomes) {
      this.#send(
        serverFrames.welcome({
          conversationId: w.conversationId,
          seq: w.seq,
          body: Buffer.from(w.body.buffer, w.body.byteOffset, w.body.byteLength).toString("base64"),
        }),
      );
    }
    this.#enqueue(async () => this.#send(serverFrames.synced()));
    await this.#d.presence.connected(s.user.id, s.user.showPresence, s.device.id);
    // Tell this device who among its contacts is online now.
    for (const userId of await this.#d.conversations.listContacts(s.user.id)) {
      if (this.#d.presence.isVisible(userId)) this.#presence(userId, true);
    }
  }

  /** Starts following a conversation from `cursor`: backlog first, then live entries, in order. */
  #watch(conversationId: ConversationId, cursor: number) {
    if (this.#sent.has(conversationId)) return;
    this.#sent.set(conversationId, cursor);
    const topic = conversationTopic(conversationId);
    const sub = this.#d.bus.subscribe(topic, (e) => this.#onConversationEvent(e));
    this.#unsubscribe.set(topic, sub.off);
    // Read the backlog only once the subscription is live, so no entry falls between the two.
    this.#enqueue(async () => {
      await sub.ready;
      await this.#catchUp(conversationId, Number.MAX_SAFE_INTEGER);
    });
  }

  #enqueue(job: () => Promise<void>) {
    this.#queued += 1;
    this.#queue = this.#queue
      .then(job)
      .catch((err: unknown) => {
        this.#d.log.error({ err, device: shortId(this.deviceId) }, "delivery job failed");
        // The device's view may now have a hole: make it reconnect and resume from its cursors.
        if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(CloseCode.goingAway, "resync");
      })
      .finally(() => {
        this.#queued -= 1;
      });
  }

  /** Sends every stored entry after this socket's position, up to `upTo`. */
  async #catchUp(conversationId: ConversationId, upTo: number) {
    for (;;) {
      if (this.#closed) return;
      const from = this.#sent.get(conversationId) ?? 0;
      if (from >= upTo) return;
      const page = await this.#d.delivery.entriesAfter(
        conversationId,
        from,
        Math.min(SYNC_PAGE, upTo - from),
      );
      for (const e of page) {
        this.#sendText(encodeMessageFrame(toLogEntry(e)));
        this.#sent.set(conversationId, e.seq);
      }
      if (page.length < Math.min(SYNC_PAGE, upTo - from)) return;
    }
  }

  #onConversationEvent(e: BusEvent) {
    switch (e.type) {
      case "entry": {
        const { entry } = e;
        // The usual case, once per entry and socket: nothing queued before it and it is the next seq.
        // Sent now, as the job below would once the (idle) queue reached it, without the job's promises.
        if (this.#queued === 0 && entry.seq === (this.#sent.get(entry.conversationId) ?? -1) + 1) {
          this.#sendText(encodeMessageFrame(entry));
          this.#sent.set(entry.conversationId, entry.seq);
          return;
        }
        return this.#enqueue(async () => {
          const sent = this.#sent.get(entry.conversationId) ?? 0;
          if (entry.seq <= sent) return;
          // A gap means a lost or reordered event: read the missing entries from the store first.
          if (entry.seq > sent + 1) await this.#catchUp(entry.conversationId, entry.seq - 1);
          if (entry.seq !== (this.#sent.get(entry.conversationId) ?? 0) + 1) return;
          this.#sendText(encodeMessageFrame(entry));
          this.#sent.set(entry.conversationId, entry.seq);
        });
      }
      case "receipt":
        if (e.userId === this.#session?.user.id && e.kind === "delivered") return;
        return this.#sendText(encodeReceiptFrame(e));
      case "typing":
        if (e.userId === this.#session?.user.id) return;
        return this.#send(serverFrames.typing(e));
      case "presence":
        if (e.userId === this.#session?.user.id) return;
        return this.#presence(e.userId, e.online);
      case "devices":
        return this.#send(serverFrames.devices(e));
      case "auto_reply":
        return this.#send(serverFrames.autoReply(e));
      case "appointment":
        return this.#send(serverFrames.appointment(e));
      case "call":
        return this.#onCall(e);
    }
  }

  /**
   * A call-control step from another device. Never back to the device that sent it; a `signal` only
   * to the device it names; a `ring` only to other users' devices (the caller's own other devices do
   * not ring); answers and hang-ups to every other device, so the callee's other devices stop ringing.
   */
  #onCall(e: Extract<BusEvent, { type: "call" }>) {
    const me = this.#session;
    if (!me || e.fromDeviceId === me.device.id) return;
    if (e.action === "signal" && e.toDeviceId !== me.device.id) return;
    if (e.action === "ring" && e.fromUserId === me.user.id) return;
    this.#send(serverFrames.call(e));
  }

  #presence(userId: UserId, online: boolean) {
    // Several shared conversations repeat the same news; send each change once.
    if (this.#presenceSent.get(userId) === online) return;
    this.#presenceSent.set(userId, online);
    this.#send(serverFrames.presence(userId, online));
  }

  #onUserEvent(e: BusEvent) {
    if (e.type === "conversation") {
      this.#watch(e.conversationId, 0);
      this.#send(serverFrames.conversation(e.conversationId));
    } else if (e.type === "welcome" && e.deviceId === this.#session?.device.id) {
      // Through the serial queue, so the welcome precedes any entry this socket is sent after it.
      this.#enqueue(async () => this.#send(serverFrames.welcome(e)));
    } else if (e.type === "revoked" && e.deviceId === this.#session?.device.id) {
      this.#fail("token_invalid", CloseCode.tokenInvalid);
    }
  }

  async #cleanup() {
    if (this.#closed) return;
    this.#closed = true;
    this.#d.clock.clearTimeout(this.#helloTimer);
    this.#budget.release();
    for (const off of this.#unsubscribe.values()) off();
    this.#unsubscribe.clear();
    if (this.#session) await this.#d.presence.disconnected(this.#session.user.id, this.#session.device.id);
  }
}
