import {
  bytesToBase64,
  type ConversationId,
  type ConversationSummary,
  type DeviceId,
  type MessageId,
  newId,
  type UserId,
} from "@hearth/protocol";
import type { Calls } from "./calls/calls.ts";
import { callsForClient } from "./calls/client-calls.ts";
import type { CommitResult, HearthClientEvents, Queued } from "./client-events.ts";
import { dispatchFrame, type FrameTargets } from "./client-frames.ts";
import type { HearthClientOptions } from "./client-options.ts";
import type { ClientStore, OutboxItem, StoredMessage } from "./client-store.ts";
import type { Clock } from "./clock.ts";
import { Connection } from "./connection/connection.ts";
import { State } from "./connection/connection-state.ts";
import { ConversationView } from "./conversation/conversation-view.ts";
import { HearthCrypto } from "./crypto/hearth-crypto.ts";
import { type CommitFrame, requestCommit } from "./e2ee/commit-request.ts";
import { E2eeSession } from "./e2ee/e2ee-session.ts";
import { Emitter } from "./emitter.ts";
import type { HearthApi } from "./hearth-api.ts";
import { Inbound } from "./inbound/inbound.ts";
import { OfficeHoursView } from "./office-hours/office-hours-view.ts";
import { OutboxSender } from "./outbox/outbox-sender.ts";
import type { MessageContent, PayloadCodec } from "./payload-codec.ts";
import { Receipts } from "./receipts.ts";
import { resolveClientOptions } from "./resolve-client-options.ts";
import { Typing } from "./typing.ts";

export type {
  CommitResult,
  HearthClientEvents,
  Queued,
  ReceivedMessage,
  SendFailureCode,
  SentAck,
} from "./client-events.ts";
export { SendError } from "./client-events.ts";
export type { HearthClientOptions } from "./client-options.ts";
export type { WebSocketConstructor, WebSocketLike } from "./connection/connection.ts";

/**
 * The Hearth client: one WebSocket per device, an explicit state machine, resume from
 * per-conversation cursors, an outbox with idempotent retries, receipts, typing and presence,
 * end-to-end encryption behind {@link HearthClient.crypto}, and a view model per conversation
 * ({@link HearthClient.conversation}).
 *
 * Guarantees:
 * - Each conversation's entries reach `message` listeners exactly once and in seq order, across
 *   reconnects, duplicates and gaps (a gap is filled over HTTP, or the client resumes from its cursor).
 * - A message handed to `send` is stored exactly once: it keeps its client-generated id, is sent
 *   again with the same id and bytes after every reconnect until the server acks it (a resend
 *   returns the original ack), and its conversation's later messages are stored after it.
 * - Conversations are independent: sends to different conversations are pipelined, and a slow gap
 *   fill in one conversation does not hold up delivery in another.
 *
 * @example
 * import WebSocket from "ws";
 * const client = new HearthClient({ baseUrl, token, WebSocket, encryption: { keyStore } });
 * const setup = await client.crypto.setUp(); // "new-identity": show setup.recoveryKey once
 * client.on("message", (m) => console.log(m.seq, m.content?.text));
 * client.connect();
 * const { messageId, sent } = await client.send(conversationId, { text: "Hello" });
 * console.log(messageId, "stored as seq", (await sent).seq);
 */
export class HearthClient extends Emitter<HearthClientEvents> {
  readonly #store: ClientStore;
  readonly #clock: Clock;
  #codec: PayloadCodec;
  readonly #maxFrameBytes: number;
  #sendReadReceipts: boolean;
  readonly #api: HearthApi | undefined;
  readonly #conn: Connection;
  readonly #inbound: Inbound;
  readonly #outbox: OutboxSender;
  readonly #receipts: Receipts;
  readonly #typing: Typing;
  readonly #views = new Map<string, ConversationView>();
  /** Who the app says the token is for (until `ready` says). */
  readonly #knownUserId: UserId | undefined;
  #loaded: Promise<void> | undefined;
  #userId: UserId | undefined;
  #deviceId: DeviceId | undefined;
  readonly #e2ee: E2eeSession | undefined;
  /** Where {@link dispatchFrame} sends the frames the server pushes. */
  readonly #frames: FrameTargets;
  /** End-to-end encryption of this device: set-up, recovery, transfer, safety numbers, rotation. */
  readonly crypto: HearthCrypto;
  /** Voice and video calls of this device (one at a time), signaling end-to-end encrypted. */
  readonly calls: Calls;

  constructor(options: HearthClientOptions) {
    super();
    const { clock, random, store, api, connection, maxFrameBytes, sendReadReceipts } =
      resolveClientOptions(options);
    this.#clock = clock;
    this.#store = store;
    this.#knownUserId = options.userId;
    this.#maxFrameBytes = maxFrameBytes;
    this.#sendReadReceipts = sendReadReceipts;
    this.#api = api;
    const error = (code: string, message: string) => this.emit("error", { code, message });
    this.#conn = new Connection(connection, {
      load: () => this.#load(),
      cursors: () => this.#inbound.sequencer.snapshot(),
      stateChanged: (oldState, newState, reason) =>
        this.emit("state", reason ? { oldState, newState, reason } : { oldState, newState }),
      ready: (f) => {
        this.#userId = f.userId;
        this.#deviceId = f.deviceId;
        this.#e2ee?.signedInAs(f.userId, f.deviceId);
        this.emit("ready", { userId: f.userId, deviceId: f.deviceId });
      },
      frame: (f) => dispatchFrame(f, this.#frames),
      dropped: () => {
        this.#outbox.dropped();
        this.#inbound.dropped();
      },
      ended: () => {
        this.calls.connectionLost();
        this.#receipts.stop();
        this.#typing.stop();
        this.#outbox.closed();
      },
      error,
    });
    const connected = () => this.#conn.state === State.Connected;
    const send = (frame: Record<string, unknown>) => this.#conn.send(frame);
    this.#receipts = new Receipts({
      clock,
      delayMs: options.receiptDelayMs ?? 50,
      sendRead: () => this.#sendReadReceipts,
      connected,
      send,
    });
    this.#typing = new Typing(
      { clock, idleMs: options.typingIdleMs ?? 5_000, send, changed: (e) => this.emit("typing", e) },
      options.sendTyping ?? true,
    );
    this.#outbox = new OutboxSender({
      store: this.#store,
      clock,
      random,
      window: options.maxInFlightPerConversation ?? 1,
      load: () => this.#load(),
      connected,
      request: (frame) => this.#conn.request(frame),
      queued: (item) => this.emit("queued", item),
      sent: (ack) => this.emit("sent", ack),
      failed: (item, code) =>
        this.emit("failed", { conversationId: item.conversationId, messageId: item.messageId, code }),
      error,
    });
    this.#inbound = new Inbound({
      api: this.#api,
      store: this.#store,
      clock,
      random,
      codec: () => this.#codec,
      gapFillTimeoutMs: options.gapFillTimeoutMs ?? 10_000,
      generation: () => this.#conn.generation,
      userId: () => this.#userId,
      commit: async (entry) => {
        await this.#e2ee?.onCommit(entry);
      },
      delivered: (m) => {
        this.emit("message", m);
        // Delivered is what the other members wait to see; one's own message needs no receipt (the
        // next message from someone else raises the watermark past it). Half the receipts, half
        // their watermark writes and fan-out, per message.
        if (!m.own) this.#receipts.want(m.conversationId, "delivered", m.seq);
      },
      recycle: (reason) => this.#conn.recycle(reason),
      error,
    });
    if (options.encryption) {
      if (!this.#api) throw new Error("Encryption needs fetch: pass options.fetch");
      this.#e2ee = new E2eeSession(options.encryption.keyStore, {
        api: this.#api,
        conversations: () => this.conversations(),
        savedConversations: () => this.savedConversations(),
        commit: (f) => this.commit(f),
        welcomeProcessed: (cid) => this.welcomeProcessed(cid),
        emit: (name, payload) => (this.emit as (n: string, p: unknown) => void)(name, payload),
      });
      this.#codec = this.#e2ee;
    } else {
      this.#codec = options.codec as PayloadCodec;
    }
    this.crypto = new HearthCrypto(this.#e2ee);
    this.calls = callsForClient({
      clock,
      request: (frame) => this.#conn.request(frame),
      me: () =>
        this.#userId && this.#deviceId ? { userId: this.#userId, deviceId: this.#deviceId } : undefined,
      e2ee: this.#e2ee,
      api: this.#api,
      send: (cid, content) => this.send(cid, content),
      options: options.calls,
    });
    this.#frames = {
      conn: this.#conn,
      inbound: this.#inbound,
      outbox: this.#outbox,
      receipts: this.#receipts,
      typing: this.#typing,
      e2ee: this.#e2ee,
      calls: this.calls,
      emit: (event, payload) => this.emit(event, payload),
    };
  }

  /** The current connection state. */
  get state(): State {
    return this.#conn.state;
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
    return this.#inbound.sequencer.cursor(conversationId);
  }
  /** Messages and deletions handed to `send`/`deleteMessage` and not yet acked or refused. */
  get outboxSize(): number {
    return this.#outbox.size;
  }
  /**
   * Items still waiting for their ack, in send order per conversation (to show as pending). A
   * message's `content` is readable here, on this device, whatever the codec.
   */
  pendingItems(): OutboxItem[] {
    return this.#outbox.items();
  }
  /** Delivered messages kept in the local store, oldest first (see {@link ClientStore.loadMessages}). */
  localMessages(
    conversationId: ConversationId,
    opts?: { beforeSeq?: number; limit?: number },
  ): Promise<StoredMessage[]> {
    return this.#store.loadMessages(conversationId, opts);
  }

  /**
   * The conversations this user is in (members with names and marks, last and read seq, unread),
   * from the server, and saved on this device ({@link HearthClient.savedConversations}) so a device
   * opened without a network can show them and encrypt to their members. Throws a
   * `HearthApiError` (`network_error` offline) like the API call.
   */
  async conversations(): Promise<ConversationSummary[]> {
    if (!this.#api) throw new Error("conversations needs fetch: pass options.fetch");
    const list = await this.#api.conversations();
    this.#e2ee?.membersKnown(list);
    await this.#store.saveConversations(list);
    return list;
  }

  /** The conversation list as last saved on this device (`[]` if never): for opening offline. */
  savedConversations(): Promise<ConversationSummary[]> {
    return this.#store.loadConversations();
  }

  /**
   * Saves the conversation list as the app now has it (its unread counts and marks moved by live
   * events), so a reload without a network shows what was on screen.
   */
  saveConversations(conversations: readonly ConversationSummary[]): Promise<void> {
    return this.#store.saveConversations(conversations);
  }

  /**
   * How many of the others' messages after `readSeq` this device holds in a conversation (not
   * deleted; commits and deletions don't count), looking at most `limit` entries back: the unread
   * count once the read marker moves, without asking the server.
   */
  async unreadAfter(conversationId: ConversationId, readSeq: number, limit = 1000): Promise<number> {
    const me = this.#userId ?? this.#knownUserId;
    const stored = await this.#store.loadMessages(conversationId, { limit });
    return stored.filter((m) => m.seq > readSeq && m.kind === "message" && m.senderId !== me).length;
  }

  /**
   * A conversation as a screen shows it: stored messages, then this device's pending ones, each
   * with its status (pending / sent / delivered / read / failed with its code), kept current from
   * this client's events. The same view is returned until its `close()`.
   *
   * @example
   * const view = client.conversation(cid);
   * view.setMembers(otherMemberIds);
   * view.on("change", () => render(view.messages));
   * await view.load();
   */
  conversation(conversationId: ConversationId): ConversationView {
    let view = this.#views.get(conversationId);
    if (!view) {
      view = new ConversationView(conversationId, {
        client: this,
        load: () => this.#load(),
        now: () => this.#clock.now(),
        userId: () => this.#userId ?? this.#knownUserId,
        closed: (v) => {
          if (this.#views.get(conversationId) === v) this.#views.delete(conversationId);
        },
      });
      this.#views.set(conversationId, view);
    }
    return view;
  }

  /**
   * A conversation's office hours and automatic replies (the chat header's "in"/"out now", and the
   * automatic entries to place among the messages with `placeAutomatic`). Needs `options.fetch`.
   *
   * @example
   * const hours = client.officeHours(cid);
   * hours.on("change", render);
   * await hours.load();
   */
  officeHours(conversationId: ConversationId): OfficeHoursView {
    const api = this.#api;
    if (!api) throw new Error("officeHours needs fetch: pass options.fetch");
    return new OfficeHoursView(conversationId, {
      api,
      now: () => this.#clock.now(),
      on: (event, listener) => this.on(event, listener),
    });
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      this.#inbound.sequencer.merge(await this.#store.loadCursors());
      this.#outbox.restore(await this.#store.loadOutbox());
      // Keys left by an earlier session: decrypt the backlog even before crypto.setUp() runs.
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
    this.#conn.connect();
  }

  /**
   * Closes for good (state `closed`, reason `client_closed`). Unacked items stay in the store's
   * outbox, so a new client over the same store sends them; their `sent` promises here reject with
   * `client_closed`.
   */
  close(): void {
    this.#conn.end("client_closed");
  }

  /**
   * Queues a message: encodes it once with the codec, stores it in the outbox, and sends it as soon
   * as the client is `connected`. Resolves once it is queued; `sent` settles with the ack.
   * Throws (misuse) if the client is closed or the content is too large for a frame.
   */
  async send(conversationId: ConversationId, content: MessageContent): Promise<Queued> {
    if (this.#conn.state === State.Closed) throw new Error("This client is closed.");
    // The keys an earlier session left (a device opened offline has not connected yet).
    await this.#load();
    const messageId = newId("msg");
    const payload = await this.#codec.encode(content, { conversationId, messageId });
    const body = bytesToBase64(payload);
    // Frame overhead (type, ids, request id) is well under 256 bytes.
    if (body.length + 256 > this.#maxFrameBytes) throw new RangeError("message too large for one frame");
    this.#typing.stopOnSend(conversationId);
    return this.#outbox.enqueue({ kind: "send", conversationId, messageId, body, content });
  }

  /** Deletes one of this user's messages for everyone: a tombstone entry is queued like a message. */
  async deleteMessage(conversationId: ConversationId, target: MessageId): Promise<Queued> {
    if (this.#conn.state === State.Closed) throw new Error("This client is closed.");
    return this.#outbox.enqueue({ kind: "delete", conversationId, messageId: newId("msg"), target });
  }

  /**
   * Marks everything up to `seq` in a conversation as read by this user. A watermark: a lower or
   * repeated seq is ignored, seqs beyond what this device has are clamped. When read receipts are
   * off, the receipt is private (it syncs this user's devices and unread counts, and tells no one).
   */
  markRead(conversationId: ConversationId, seq: number): void {
    const upTo = Math.min(Math.floor(seq), this.cursor(conversationId));
    if (upTo < 1) return;
    this.#receipts.want(conversationId, "read", upTo);
  }

  /**
   * Sends the receipts waiting for their batch now, instead of after `receiptDelayMs`: the app is
   * being hidden or left, and what the person has just read must not stay behind in this page.
   */
  flushReceipts(): void {
    this.#receipts.flush();
  }

  /**
   * Says this user is typing (call on every keystroke) or stopped. At most one `active: true` goes
   * per TYPING_REFRESH_MS per conversation; `active: false` goes by itself after `typingIdleMs`
   * without a call, and when a message is sent. A no-op when typing indicators are off.
   */
  setTyping(conversationId: ConversationId, active: boolean): void {
    this.#typing.set(conversationId, active);
  }

  /** Privacy settings, changeable at any time (they apply to receipts and typing sent from now on). */
  setPrivacy(settings: { sendReadReceipts?: boolean; sendTyping?: boolean }): void {
    if (settings.sendReadReceipts !== undefined) this.#sendReadReceipts = settings.sendReadReceipts;
    if (settings.sendTyping !== undefined) this.#typing.setEnabled(settings.sendTyping);
  }

  /**
   * For the crypto layer: sends an MLS commit made in `epoch`. Resolves with the new epoch, or a
   * coded refusal (`stale_commit` with the current epoch, or `connection_lost`). Not queued: the
   * crypto layer decides what to do when it fails.
   */
  commit(frame: CommitFrame): Promise<CommitResult> {
    return requestCommit((f) => this.#conn.request(f), frame);
  }

  /** For the crypto layer: this device has joined from its welcome (the server may forget it). */
  welcomeProcessed(conversationId: ConversationId): void {
    this.#conn.send({ type: "welcome_ack", conversationId });
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
