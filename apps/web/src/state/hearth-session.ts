import {
  type AttachmentRef,
  Attachments,
  type EncryptionSetup,
  fullJitterDelay,
  HearthApi,
  HearthClient,
  type OutboxItem,
  type ReceivedMessage,
  State,
  type StoredMessage,
} from "@hearth/client";
import type { ConversationId, ConversationSummary, MeResponse, MessageId, UserId } from "@hearth/protocol";
import { DeviceSearch } from "../search/device-search.ts";
import { EncryptedIndexStore } from "../search/encrypted-index-store.ts";
import { AppLock } from "../session/app-lock.ts";
import {
  type Display,
  loadDisplay,
  loadPrivacy,
  type Privacy,
  type SavedSession,
  SESSION_KEY,
  saveDisplay,
  savePrivacy,
} from "../session/saved-session.ts";
import { IdbClientStore, type Watermarks } from "../storage/idb-client-store.ts";
import { IdbKeyStore } from "../storage/idb-key-store.ts";
import { DecryptedFiles } from "./decrypted-files.ts";
import { clearNotifications, showNewMessageNotification } from "./notifications.ts";

// Re-exported for the lazily loaded SDK chunk (see sdk/load-sdk.ts).
export { EncryptedIndexStore, HearthApi, IdbClientStore, IdbKeyStore };

/**
 * Where this device stands with end-to-end encryption: being checked, one of the SDK's
 * `setUpEncryption()` outcomes, or a failure to reach the server (retried).
 */
export type EncryptionState = { kind: "checking" } | EncryptionSetup | { kind: "unreachable" };

/** The 6-digit code and QR payload of a device transfer this (new) device started. */
export interface TransferOffer {
  qrPayload: string;
  shortCode: string | undefined;
}

/** How one of my messages stands, from the SDK's events: queued, acked, then the others' receipts. */
export type MessageStatus = "pending" | "failed" | "sent" | "delivered" | "read";

/** A message as the chat shows it. */
export interface ChatMessage {
  messageId: MessageId;
  /** Undefined while it waits for the server's ack. */
  seq: number | undefined;
  senderId: string;
  sentAt: string;
  own: boolean;
  text: string | undefined;
  replyTo: MessageId | undefined;
  /** A shared file (encrypted on the sender's device; the key travels inside the message). */
  attachment: AttachmentRef | undefined;
  deleted: boolean;
  undecryptable: boolean;
  failed: boolean;
}

/** One conversation as loaded for the chat screen. */
interface Loaded {
  byId: Map<string, ChatMessage>;
  /** Stored messages in seq order, then pending ones in send order. */
  list: ChatMessage[];
  version: number;
}

/**
 * The media type to send a file as: `type/subtype` without parameters (a recorder's
 * `audio/webm;codecs=opus` is sent as `audio/webm`), or `application/octet-stream` if unknown.
 */
function mediaType(type: string): string {
  const bare = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[\w.+-]+\/[\w.+-]+$/.test(bare) ? bare : "application/octet-stream";
}

const WATERMARK_PREFIX = "wm:";
const LABEL_PREFIX = "label:";
/** Retrying encryption set-up while the server is unreachable: full-jitter backoff, 1 s to 30 s. */
const SETUP_RETRY = { minMs: 1_000, maxMs: 30_000 };
/** How long without a connection before the app says it is offline. */
const OFFLINE_AFTER_MS = 3_000;

/** A connection that needs no "offline" notice: up, catching up, or ended on purpose. */
function settled(state: State): boolean {
  return state === State.Connected || state === State.Syncing || state === State.Closed;
}

/**
 * Everything a signed-in device has: the HTTP API, the socket client (over IndexedDB), and what
 * the screens show, kept current from the SDK's events. Screens subscribe with
 * {@link HearthSession.subscribe} and read the getters; nothing here re-implements delivery —
 * order, retries, cursors and receipts are the SDK's.
 */
export class HearthSession {
  readonly api: HearthApi;
  readonly client: HearthClient;
  readonly store: IdbClientStore;
  readonly keyStore: IdbKeyStore;
  /** Search across this person's history, on this device only (an encrypted local index). */
  readonly search: DeviceSearch;
  readonly attachments: Attachments;
  /** The file being sent in each conversation, with its progress (0–1). */
  readonly uploads = new Map<string, { name: string; phase: string; progress: number }>();
  /** Shared files decrypted on this device for viewing, as object URLs (released on stop). */
  readonly files = new DecryptedFiles((a) => this.attachments.download(a));
  readonly saved: SavedSession;
  /** The screen lock after inactivity: while locked, no conversation is on screen. */
  readonly lock: AppLock;
  /** End-to-end encryption on this device; the socket connects only once it is ready. */
  encryption: EncryptionState = { kind: "checking" };
  /** The person confirmed they saved the recovery key shown after sign-up. */
  recoveryKeySaved = false;
  /** A device transfer in progress (new device side). */
  transfer: TransferOffer | undefined;
  #setupTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  me: MeResponse | undefined;
  conversations: ConversationSummary[] = [];
  conversationsLoaded = false;
  /** Set when the server refused this device's token (signed out remotely, or expired). */
  signedOutRemotely = false;
  /**
   * Set when another tab signed out (or signed in as someone else): this tab only lets go; the
   * other tab already ended the server session and erased the device's data (or owns it now).
   */
  signedOutInAnotherTab = false;
  /** No live connection for a few seconds (the app says so; what is written waits in the outbox). */
  offline = false;
  #offlineTimer: ReturnType<typeof setTimeout> | undefined;
  privacy: Privacy;
  /** What this device shows of the others, and whether it notifies. */
  display: Display = loadDisplay();
  /** conversation → member → watermarks. */
  readonly #watermarks = new Map<string, Map<string, Watermarks>>();
  /** conversation → users typing now. */
  readonly #typing = new Map<string, Set<string>>();
  readonly #loaded = new Map<string, Loaded>();
  readonly #loading = new Map<string, Promise<void>>();
  labels = new Map<string, string>();
  /** Unsent text (and the message it answers) per conversation, in memory only. */
  readonly drafts = new Map<string, { text: string; replyTo: ChatMessage | undefined }>();
  readonly #listeners = new Set<() => void>();
  readonly #messageListeners = new Set<(m: ReceivedMessage) => void>();
  #version = 0;
  #notifyTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(saved: SavedSession) {
    this.saved = saved;
    const baseUrl = location.origin;
    this.api = new HearthApi({ baseUrl, token: saved.token });
    this.store = new IdbClientStore(saved.userId);
    this.keyStore = new IdbKeyStore(saved.userId);
    this.search = new DeviceSearch(saved.userId, { onChange: () => this.#changed() });
    this.privacy = loadPrivacy();
    this.client = new HearthClient({
      baseUrl,
      token: saved.token,
      store: this.store,
      encryption: { keyStore: this.keyStore },
      ...this.privacy,
    });
    this.attachments = new Attachments({ client: this.client, api: this.api });
    this.lock = new AppLock(saved.role, () => {
      // Locked: decrypted files leave memory and no notification stays behind.
      if (this.lock.locked) {
        this.files.clear();
        clearNotifications();
      }
      this.#changed(true);
    });
    this.#wire();
  }

  /** Lifts the screen lock once the server accepts the password (a wrong one throws, coded). */
  async unlock(password: string): Promise<void> {
    await this.api.unlock(password);
    this.lock.unlocked();
  }

  /** Connects, loads who I am, the conversation list and what this device remembers. */
  start(): void {
    this.lock.start();
    window.addEventListener("storage", this.#onStorage);
    window.addEventListener("online", this.#reconnectNow);
    window.addEventListener("offline", this.#onOffline);
    // Opening without a network: no state change may ever come, so the clock starts now.
    this.#connectionChanged(this.client.state);
    document.addEventListener("visibilitychange", this.#onVisibility);
    void this.#loadMeta();
    void this.refreshMe();
    void this.search.load();
    void this.refreshConversations().then(() => this.#catchUpSearch());
    void this.#setUpEncryption(0);
  }

  /**
   * Prepares end-to-end encryption, then connects. A device without the user's keys
   * (`needs-history`) does not connect until they are restored: entries it could not decrypt
   * would otherwise move its cursors past them.
   */
  async #setUpEncryption(attempt: number): Promise<void> {
    try {
      this.encryption = await this.client.crypto.setUp();
    } catch (err) {
      if (this.#stopped) return;
      this.#maybeSignedOut(err);
      this.encryption = { kind: "unreachable" };
      this.#changed(true);
      this.#setupTimer = setTimeout(
        () => void this.#setUpEncryption(attempt + 1),
        fullJitterDelay(attempt, SETUP_RETRY),
      );
      return;
    }
    if (this.#stopped) return;
    this.#changed(true);
    if (this.encryption.kind !== "needs-history") this.client.connect();
  }

  /** The recovery key shown once after sign-up has been saved: go on to the app. */
  acknowledgeRecoveryKey(): void {
    this.recoveryKeySaved = true;
    this.#changed(true);
  }

  /** New device: restores the keys (and history) from the recovery key, then connects. */
  async restoreFromRecoveryKey(recoveryKey: string): Promise<void> {
    await this.client.crypto.restoreFromRecoveryKey(recoveryKey.trim());
    this.encryption = { kind: "ready" };
    this.#changed(true);
    this.client.connect();
  }

  /** New device: offers a transfer from another device; resolves once the keys are here. */
  async startDeviceTransfer(): Promise<void> {
    const t = await this.client.crypto.startDeviceTransfer();
    this.transfer = { qrPayload: t.qrPayload, shortCode: undefined };
    this.#changed(true);
    void t.shortCode.then(
      (code) => {
        if (this.transfer) this.transfer = { ...this.transfer, shortCode: code };
        this.#changed(true);
      },
      () => undefined,
    );
    try {
      await t.done;
    } finally {
      this.transfer = undefined;
      this.#changed(true);
    }
    this.encryption = { kind: "ready" };
    this.#changed(true);
    this.client.connect();
  }

  /** Closes the socket and the database (sign-out, quick exit). */
  stop(): void {
    this.lock.stop();
    window.removeEventListener("storage", this.#onStorage);
    window.removeEventListener("online", this.#reconnectNow);
    window.removeEventListener("offline", this.#onOffline);
    clearTimeout(this.#offlineTimer);
    document.removeEventListener("visibilitychange", this.#onVisibility);
    clearNotifications();
    this.#stopped = true;
    clearTimeout(this.#setupTimer);
    this.files.clear();
    this.client.close();
    void this.store.close().catch(() => undefined);
    void this.keyStore.close().catch(() => undefined);
    void this.search.close().catch(() => undefined);
    clearTimeout(this.#notifyTimer);
    clearTimeout(this.#refreshTimer);
  }

  /**
   * "Offline" only after a few seconds without a connection: a quick reconnect (a network switch, a
   * server restart) shouldn't flash a warning.
   */
  #connectionChanged(state: State): void {
    if (settled(state)) {
      clearTimeout(this.#offlineTimer);
      this.#offlineTimer = undefined;
      this.offline = false;
      return;
    }
    if (this.offline || this.#offlineTimer !== undefined) return;
    this.#offlineTimer = setTimeout(() => {
      this.#offlineTimer = undefined;
      // Before the keys are ready the socket waits on purpose (a new device): only a lost network
      // counts as offline then.
      const expected = this.encryption.kind === "ready" || !navigator.onLine;
      if (expected && !settled(this.client.state) && !this.#stopped) {
        this.offline = true;
        this.#changed(true);
      }
    }, OFFLINE_AFTER_MS);
  }

  readonly #onOffline = (): void => this.#connectionChanged(this.client.state);

  /** The network is back (or the page came to the front): reconnect now, not after the backoff. */
  readonly #reconnectNow = (): void => {
    if (this.#stopped || this.encryption.kind !== "ready") return;
    if (this.client.state === State.Disconnected) this.client.connect();
  };

  /** Another tab signed out, or signed in as someone else: this tab's session is over too. */
  readonly #onStorage = (e: StorageEvent): void => {
    if (e.key !== SESSION_KEY && e.key !== null) return;
    let token: unknown;
    try {
      token =
        e.key === null ? undefined : (JSON.parse(e.newValue ?? "null") as { token?: unknown } | null)?.token;
    } catch {
      token = undefined;
    }
    if (token === this.saved.token) return;
    this.signedOutInAnotherTab = true;
    this.signedOutRemotely = true;
    this.#changed(true);
  };

  /**
   * Leaving the page (or the tab going to the background): write what is pending now. Coming
   * back: the notification has done its job.
   */
  readonly #onVisibility = (): void => {
    if (document.visibilityState === "hidden") void this.store.flush().catch(() => undefined);
    else {
      clearNotifications();
      // Phones drop sockets of pages in the background: be back at once.
      this.#reconnectNow();
    }
  };

  get userId(): string {
    return this.saved.userId;
  }

  get connected(): boolean {
    return this.client.state === State.Connected;
  }

  // ------------------------------------------------------------------ subscription

  /** Re-render hook: called (batched) after anything shown changed. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** A number that changes whenever anything shown changed (for `useSyncExternalStore`). */
  getVersion = (): number => this.#version;

  /** Every message event (for announcing new messages). */
  onMessage(listener: (m: ReceivedMessage) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  #changed(now = false): void {
    // Batched: a backlog of thousands of entries re-renders a few times, not once per entry.
    if (now) {
      clearTimeout(this.#notifyTimer);
      this.#notifyTimer = undefined;
      this.#version++;
      for (const l of this.#listeners) l();
      return;
    }
    this.#notifyTimer ??= setTimeout(() => {
      this.#notifyTimer = undefined;
      this.#version++;
      for (const l of this.#listeners) l();
    }, 30);
  }

  // ------------------------------------------------------------------ loading

  async #loadMeta(): Promise<void> {
    try {
      const wm = await this.store.metaWithPrefix<Record<string, Watermarks>>(WATERMARK_PREFIX);
      for (const [conversationId, members] of wm) {
        const map = this.#watermarks.get(conversationId) ?? new Map<string, Watermarks>();
        for (const [userId, w] of Object.entries(members)) {
          const cur = map.get(userId);
          map.set(userId, {
            delivered: Math.max(cur?.delivered ?? 0, w.delivered),
            read: Math.max(cur?.read ?? 0, w.read),
          });
        }
        this.#watermarks.set(conversationId, map);
      }
      this.labels = await this.store.metaWithPrefix<string>(LABEL_PREFIX);
      this.#changed();
    } catch {
      // No stored extras: statuses fill in from live receipts.
    }
  }

  async refreshMe(): Promise<void> {
    try {
      this.me = await this.api.me();
      this.#changed();
    } catch (err) {
      this.#maybeSignedOut(err);
    }
  }

  async refreshConversations(): Promise<void> {
    try {
      this.conversations = await this.api.conversations();
      this.conversationsLoaded = true;
      this.#catchUpReceipts();
      this.#changed(true);
    } catch (err) {
      this.#maybeSignedOut(err);
    }
  }

  /** Indexes for search what this device stored while the index was not watching. */
  #catchUpSearch(): void {
    if (this.#stopped) return;
    void this.search
      .catchUp(this.conversations, (id) =>
        this.client.localMessages(id as ConversationId, { limit: Number.MAX_SAFE_INTEGER }),
      )
      .catch(() => undefined);
  }

  /**
   * The others' delivered and (shared) read marks from the list: receipts sent while this device
   * was offline are only there. Marks only move forward.
   */
  #catchUpReceipts(): void {
    for (const c of this.conversations) {
      const map = this.#watermarks.get(c.conversationId) ?? new Map<string, Watermarks>();
      let moved = false;
      for (const m of c.members) {
        if (m.userId === this.userId) continue;
        const cur = map.get(m.userId) ?? { delivered: 0, read: 0 };
        const next = {
          delivered: Math.max(cur.delivered, m.deliveredSeq ?? 0, m.readSeq ?? 0),
          read: Math.max(cur.read, m.readSeq ?? 0),
        };
        if (next.delivered !== cur.delivered || next.read !== cur.read) {
          map.set(m.userId, next);
          moved = true;
        }
      }
      if (!moved) continue;
      this.#watermarks.set(c.conversationId, map);
      const loaded = this.#loaded.get(c.conversationId);
      if (loaded) this.#bump(loaded);
    }
  }

  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.refreshConversations(), 300);
  }

  #maybeSignedOut(err: unknown): void {
    if ((err as { code?: string }).code === "token_invalid") {
      this.signedOutRemotely = true;
      this.#changed(true);
    }
  }

  // ------------------------------------------------------------------ SDK events

  #wire(): void {
    const c = this.client;
    c.on("state", ({ newState, reason }) => {
      if (newState === State.Closed && reason === "token_invalid") this.signedOutRemotely = true;
      this.#connectionChanged(newState);
      this.#changed();
    });
    c.on("synced", () => void this.refreshConversations().then(() => this.#catchUpSearch()));
    c.on("conversation", () => this.#scheduleRefresh());
    c.on("message", (m) => {
      this.#onMessage(m);
      if (!m.own && m.kind === "message") this.#notify(m);
      this.search.onMessage(m);
      for (const l of this.#messageListeners) l(m);
    });
    c.on("queued", (item) => {
      const loaded = this.#loaded.get(item.conversationId);
      if (loaded) {
        this.#addPending(loaded, item);
        this.#bump(loaded);
      }
      this.#changed();
    });
    c.on("sent", (ack) => {
      const loaded = this.#loaded.get(ack.conversationId);
      const msg = loaded?.byId.get(ack.messageId);
      if (loaded && msg) {
        msg.seq = ack.seq;
        msg.sentAt = ack.sentAt;
        this.#bump(loaded);
      }
      this.#changed();
    });
    c.on("failed", (f) => {
      const loaded = this.#loaded.get(f.conversationId);
      const msg = loaded?.byId.get(f.messageId);
      if (loaded && msg) {
        msg.failed = true;
        this.#bump(loaded);
      }
      this.#changed();
    });
    c.on("receipt", (r) => {
      if (r.userId === this.userId) {
        // My own read marker moved (another of my devices read): unread drops.
        if (r.kind === "read") {
          this.#setReadSeq(r.conversationId, r.seq);
          // Everything was read elsewhere: "New message" would no longer be true.
          if (this.conversations.every((s) => s.unread === 0)) clearNotifications();
        }
        return;
      }
      const map = this.#watermarks.get(r.conversationId) ?? new Map<string, Watermarks>();
      const cur = map.get(r.userId) ?? { delivered: 0, read: 0 };
      const next =
        r.kind === "read"
          ? { delivered: Math.max(cur.delivered, r.seq), read: Math.max(cur.read, r.seq) }
          : { delivered: Math.max(cur.delivered, r.seq), read: cur.read };
      map.set(r.userId, next);
      this.#watermarks.set(r.conversationId, map);
      const loaded = this.#loaded.get(r.conversationId);
      if (loaded) this.#bump(loaded);
      void this.store
        .setMeta(WATERMARK_PREFIX + r.conversationId, Object.fromEntries(map))
        .catch(() => undefined);
      this.#changed();
    });
    c.on("typing", (t) => {
      if (t.userId === this.userId) return;
      const set = this.#typing.get(t.conversationId) ?? new Set<string>();
      if (t.active) set.add(t.userId);
      else set.delete(t.userId);
      this.#typing.set(t.conversationId, set);
      this.#changed(true);
    });
  }

  #onMessage(m: ReceivedMessage): void {
    const summary = this.conversations.find((c) => c.conversationId === m.conversationId);
    if (summary && m.seq > summary.lastSeq) {
      summary.lastSeq = m.seq;
      summary.lastActivityAt = m.sentAt;
      if (!m.own && m.kind === "message" && m.seq > summary.readSeq) summary.unread++;
    } else if (!summary) {
      this.#scheduleRefresh();
    }
    if (!m.own && m.kind === "message") {
      // A message ends that person's typing.
      this.#typing.get(m.conversationId)?.delete(m.senderId);
    }
    const loaded = this.#loaded.get(m.conversationId);
    if (loaded) this.#apply(loaded, m);
    this.#changed();
  }

  #setReadSeq(conversationId: string, seq: number): void {
    const summary = this.conversations.find((c) => c.conversationId === conversationId);
    if (!summary || seq <= summary.readSeq) return;
    summary.readSeq = seq;
    if (seq >= summary.lastSeq) summary.unread = 0;
    this.#changed();
  }

  #toChat(m: StoredMessage): ChatMessage {
    return {
      messageId: m.messageId,
      seq: m.seq,
      senderId: m.senderId,
      sentAt: m.sentAt,
      own: m.senderId === this.userId,
      text: m.content?.text,
      replyTo: m.content?.replyTo,
      attachment: m.content?.attachment,
      deleted: m.kind === "deleted",
      undecryptable: m.kind === "message" && m.undecryptable !== undefined,
      failed: false,
    };
  }

  #apply(loaded: Loaded, m: StoredMessage): void {
    if (m.kind === "commit") return;
    if (m.kind === "tombstone") {
      const target = m.target ? loaded.byId.get(m.target) : undefined;
      if (target) {
        target.deleted = true;
        target.text = undefined;
        target.replyTo = undefined;
        this.#bump(loaded);
      }
      return;
    }
    const existing = loaded.byId.get(m.messageId);
    if (existing) {
      // The echo of my own message: it confirms the pending bubble.
      existing.seq = m.seq;
      existing.sentAt = m.sentAt;
      existing.failed = false;
      this.#bump(loaded);
      return;
    }
    const msg = this.#toChat(m);
    loaded.byId.set(msg.messageId, msg);
    loaded.list.push(msg);
    this.#bump(loaded);
  }

  #bump(loaded: Loaded): void {
    loaded.version++;
  }

  /** Loads a conversation's messages from this device's store (then keeps it current). */
  openConversation(conversationId: string): Promise<void> {
    const existing = this.#loading.get(conversationId);
    if (existing) return existing;
    const p = (async () => {
      const stored = await this.client.localMessages(conversationId as ConversationId, {
        limit: Number.MAX_SAFE_INTEGER,
      });
      const loaded: Loaded = this.#loaded.get(conversationId) ?? { byId: new Map(), list: [], version: 0 };
      const live = loaded.list;
      loaded.list = [];
      loaded.byId.clear();
      for (const m of stored) this.#apply(loaded, m);
      // Messages that arrived while loading (already in the store or not): merge by id.
      for (const m of live) {
        if (!loaded.byId.has(m.messageId)) {
          loaded.byId.set(m.messageId, m);
          loaded.list.push(m);
        }
      }
      // Queued but not yet acked (also from before a reload): shown as pending.
      for (const item of this.client.pendingItems()) {
        if (item.conversationId === conversationId) this.#addPending(loaded, item);
      }
      this.#sort(loaded);
      this.#loaded.set(conversationId, loaded);
      this.#changed(true);
    })();
    this.#loading.set(conversationId, p);
    p.catch(() => this.#loading.delete(conversationId));
    return p;
  }

  /**
   * One of my queued items, on screen: a message as pending (its content is kept by the SDK on this
   * device, as its body is encrypted), a deletion at once on its target.
   */
  #addPending(loaded: Loaded, item: OutboxItem): void {
    if (item.kind === "delete") {
      const target = item.target ? loaded.byId.get(item.target) : undefined;
      if (target) target.deleted = true;
      return;
    }
    if (loaded.byId.has(item.messageId)) return;
    const content = item.content;
    const msg: ChatMessage = {
      messageId: item.messageId,
      seq: undefined,
      senderId: this.userId,
      sentAt: new Date(item.createdAt).toISOString(),
      own: true,
      // An item queued by an older version kept no content: say what it is instead.
      text: content ? content.text : "A message you wrote earlier, waiting to be sent.",
      replyTo: content?.replyTo,
      attachment: content?.attachment,
      deleted: false,
      undecryptable: false,
      failed: false,
    };
    loaded.byId.set(msg.messageId, msg);
    loaded.list.push(msg);
  }

  #sort(loaded: Loaded): void {
    loaded.list.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
    this.#bump(loaded);
  }

  /** The loaded messages of a conversation, oldest first, and a version that changes with them. */
  messages(conversationId: string): { list: readonly ChatMessage[]; version: number } | undefined {
    const loaded = this.#loaded.get(conversationId);
    if (!loaded) return undefined;
    // Acked messages that went out of order behind pending ones are put back in seq order.
    const list = loaded.list;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]?.seq;
      const b = list[i]?.seq;
      if (a !== undefined && b !== undefined && a > b) {
        this.#sort(loaded);
        break;
      }
      if (a === undefined && b !== undefined) {
        this.#sort(loaded);
        break;
      }
    }
    return { list: loaded.list, version: loaded.version };
  }

  /** One loaded message, by id (for showing what a reply answers). */
  message(conversationId: string, messageId: string): ChatMessage | undefined {
    return this.#loaded.get(conversationId)?.byId.get(messageId);
  }

  /** The status of one of my messages, from the ack and the other members' watermarks. */
  status(conversationId: string, m: ChatMessage): MessageStatus {
    if (m.failed) return "failed";
    if (m.seq === undefined) return "pending";
    const seq = m.seq;
    const summary = this.conversations.find((c) => c.conversationId === conversationId);
    const others = (summary?.members ?? []).filter((x) => x.userId !== this.userId);
    const marks = this.#watermarks.get(conversationId);
    if (!marks || others.length === 0) return "sent";
    const all = (pick: (w: Watermarks) => number) =>
      others.every((o) => {
        const w = marks.get(o.userId);
        return w !== undefined && pick(w) >= seq;
      });
    if (all((w) => w.read)) return this.display.showReadReceipts ? "read" : "delivered";
    if (all((w) => w.delivered)) return "delivered";
    return "sent";
  }

  /** Who is typing in a conversation now (never me). */
  typing(conversationId: string): string[] {
    if (!this.display.showTyping) return [];
    return [...(this.#typing.get(conversationId) ?? [])];
  }

  /** A member's display name in a conversation. */
  nameOf(conversationId: string, userId: string): string {
    if (userId === this.userId) return "You";
    const summary = this.conversations.find((c) => c.conversationId === conversationId);
    return summary?.members.find((m) => m.userId === userId)?.displayName ?? "Someone";
  }

  // ------------------------------------------------------------------ actions

  /** Sends a message; it shows at once as pending. */
  async send(conversationId: string, text: string, replyTo?: MessageId): Promise<void> {
    const content = replyTo ? { text, replyTo } : { text };
    // The SDK's `queued` event puts it on screen as pending.
    await this.client.send(conversationId as ConversationId, content);
    this.#changed(true);
  }

  /** Encrypts, uploads and sends a file; it shows as pending once uploaded. */
  async sendFile(conversationId: string, file: File, caption?: string): Promise<void> {
    const name = file.name.slice(0, 200) || "file";
    this.uploads.set(conversationId, { name, phase: "encrypt", progress: 0 });
    this.#changed(true);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      // The SDK's `queued` event puts the message on screen as pending once uploaded.
      await this.attachments.send(
        conversationId as ConversationId,
        bytes,
        {
          name,
          mimeType: mediaType(file.type),
          ...(caption ? { caption } : {}),
        },
        (e) => {
          this.uploads.set(conversationId, {
            name,
            phase: e.phase,
            progress: e.total ? e.done / e.total : 0,
          });
          this.#changed();
        },
      );
    } finally {
      this.uploads.delete(conversationId);
      this.#changed(true);
    }
  }

  /** Downloads, verifies and decrypts a shared file. */
  downloadFile(attachment: AttachmentRef): Promise<Uint8Array> {
    return this.attachments.download(attachment);
  }

  /**
   * Takes one of my messages that the server refused off the screen: it was never stored anywhere
   * (the SDK dropped it from the outbox), so it would be gone after a reload anyway.
   */
  forgetFailed(conversationId: string, messageId: string): void {
    const loaded = this.#loaded.get(conversationId);
    const msg = loaded?.byId.get(messageId);
    if (!loaded || !msg?.own || !msg.failed) return;
    loaded.byId.delete(messageId);
    loaded.list = loaded.list.filter((m) => m !== msg);
    this.#bump(loaded);
    this.#changed(true);
  }

  /** Deletes one of my messages for everyone. */
  async deleteMessage(conversationId: string, messageId: MessageId): Promise<void> {
    await this.client.deleteMessage(conversationId as ConversationId, messageId);
    const msg = this.#loaded.get(conversationId)?.byId.get(messageId);
    if (msg) {
      msg.deleted = true;
      msg.text = undefined;
      const loaded = this.#loaded.get(conversationId);
      if (loaded) this.#bump(loaded);
    }
    this.#changed(true);
  }

  /** Marks everything up to `seq` as read (the SDK clamps and batches). */
  markRead(conversationId: string, seq: number): void {
    this.client.markRead(conversationId as ConversationId, seq);
    this.#setReadSeq(conversationId, seq);
  }

  setTyping(conversationId: string, active: boolean): void {
    this.client.setTyping(conversationId as ConversationId, active);
  }

  /** Changes and remembers this device's privacy choices. */
  setPrivacy(p: Privacy): void {
    this.privacy = p;
    savePrivacy(p);
    this.client.setPrivacy(p);
    this.#changed(true);
  }

  /** Changes and remembers what this device shows and whether it notifies. */
  setDisplay(d: Display): void {
    this.display = d;
    saveDisplay(d);
    this.#changed(true);
  }

  /**
   * A new message while Hearth is in the background, not already read on another device: one
   * notification that says only that (see {@link showNewMessageNotification}).
   */
  #notify(m: ReceivedMessage): void {
    if (!this.display.notify || document.visibilityState !== "hidden") return;
    const summary = this.conversations.find((c) => c.conversationId === m.conversationId);
    if (summary && m.seq <= summary.readSeq) return;
    showNewMessageNotification();
  }

  /** A therapist starts a group with some of their patients. */
  async createGroup(memberIds: string[]): Promise<ConversationSummary> {
    const group = await this.api.createGroup(memberIds);
    await this.refreshConversations();
    return group;
  }

  /** A therapist's private label for a patient, kept on this device only. */
  async setLabel(userId: UserId | string, label: string): Promise<void> {
    const trimmed = label.trim();
    if (trimmed) this.labels.set(userId, trimmed);
    else this.labels.delete(userId);
    await this.store.setMeta(LABEL_PREFIX + userId, trimmed || undefined);
    this.#changed(true);
  }
}
