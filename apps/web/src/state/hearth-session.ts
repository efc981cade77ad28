import {
  Appointments,
  type AttachmentRef,
  Attachments,
  HearthApi,
  HearthClient,
  type MessageStatus,
  type ReceivedMessage,
  State,
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
  saveDisplay,
  savePrivacy,
} from "../session/saved-session.ts";
import { IdbClientStore } from "../storage/idb-client-store.ts";
import { IdbKeyStore } from "../storage/idb-key-store.ts";
import { DecryptedFiles } from "./decrypted-files.ts";
import { clearNotifications, showNewMessageNotification } from "./notifications.ts";
import { browserRtc } from "./session/browser-rtc.ts";
import { ChangeNotifier } from "./session/change-notifier.ts";
import { ConversationList } from "./session/conversation-list.ts";
import { memberName } from "./session/conversation-summaries.ts";
import { EncryptionSetupFlow, type EncryptionState, type TransferOffer } from "./session/encryption-setup.ts";
import { FileUploads, type Upload } from "./session/file-sending.ts";
import { type ChatMessage, MessageViews } from "./session/message-views.ts";
import { OfflineWatch } from "./session/offline-watch.ts";
import { watchPage } from "./session/page-events.ts";
import { PrivateLabels } from "./session/private-labels.ts";
import { Receipts } from "./session/receipts.ts";
import { TypingNow } from "./session/typing-now.ts";

export type { ChatMessage, EncryptionState, MessageStatus, TransferOffer };
// Re-exported for the lazily loaded SDK chunk (see sdk/load-sdk.ts).
export { EncryptedIndexStore, HearthApi, IdbClientStore, IdbKeyStore };

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
  /** Sessions scheduled in conversations (times only on the server; a note is a message). */
  readonly appointments: Appointments;
  /** The file being sent in each conversation, with its progress (0–1). */
  readonly uploads: Map<string, Upload>;
  readonly #uploads: FileUploads;
  /** Shared files decrypted on this device for viewing, as object URLs (released on stop). */
  readonly files = new DecryptedFiles((a) => this.attachments.download(a));
  readonly saved: SavedSession;
  /** The screen lock after inactivity: while locked, no conversation is on screen. */
  readonly lock: AppLock;
  /**
   * Setting up end-to-end encryption on this device: the recovery key shown once, restoring from it,
   * a transfer from another device.
   */
  readonly setup: EncryptionSetupFlow;
  readonly #changes = new ChangeNotifier();
  #unwatchPage: (() => void) | undefined;
  #stopped = false;
  me: MeResponse | undefined;
  /** The conversation list, saved on this device and kept current (unread counts, read markers). */
  readonly list: ConversationList;
  /** Set when the server refused this device's token (signed out remotely, or expired). */
  signedOutRemotely = false;
  /**
   * Set when another tab signed out (or signed in as someone else): this tab only lets go; the
   * other tab already ended the server session and erased the device's data (or owns it now).
   */
  signedOutInAnotherTab = false;
  readonly #offline: OfflineWatch;
  privacy: Privacy;
  /** What this device shows of the others, and whether it notifies. */
  display: Display = loadDisplay();
  /** The others' delivered and read marks, for the statuses of my messages. */
  readonly #receipts: Receipts;
  readonly #typing = new TypingNow();
  /** The opened conversations' messages as the chat shows them (the SDK's views, mapped). */
  readonly #views: MessageViews;
  /** A therapist's private labels for patients, kept on this device only. */
  readonly labels: PrivateLabels;
  /** Unsent text (and the message it answers) per conversation, in memory only. */
  readonly drafts = new Map<string, { text: string; replyTo: ChatMessage | undefined }>();
  readonly #messageListeners = new Set<(m: ReceivedMessage) => void>();

  constructor(saved: SavedSession) {
    this.saved = saved;
    const baseUrl = location.origin;
    this.api = new HearthApi({ baseUrl, token: saved.token });
    this.store = new IdbClientStore(saved.userId);
    this.labels = new PrivateLabels(this.store);
    this.keyStore = new IdbKeyStore(saved.userId);
    this.search = new DeviceSearch(saved.userId, { onChange: () => this.#changed() });
    this.privacy = loadPrivacy();
    this.client = new HearthClient({
      baseUrl,
      token: saved.token,
      userId: saved.userId as UserId,
      store: this.store,
      encryption: { keyStore: this.keyStore },
      calls: { rtc: browserRtc() },
      ...this.privacy,
    });
    this.attachments = new Attachments({ client: this.client, api: this.api });
    this.appointments = new Appointments({ api: this.api, send: (c, m) => this.client.send(c, m) });
    this.setup = new EncryptionSetupFlow(
      this.client,
      () => this.#changed(true),
      (err) => this.#maybeSignedOut(err),
    );
    this.#receipts = new Receipts(this.store);
    this.#views = new MessageViews(
      this.client,
      saved.userId,
      () => this.#changed(),
      (id) => this.#seedView(id),
    );
    this.#uploads = new FileUploads(this.attachments, (now) => this.#changed(now));
    this.uploads = this.#uploads.uploads;
    this.#offline = new OfflineWatch({
      current: () => this.client.state,
      // Before the keys are ready the socket waits on purpose (a new device): only a lost network
      // counts as offline then.
      expected: () => !this.#stopped && (this.encryption.kind === "ready" || !navigator.onLine),
      online: () => this.#stopped || navigator.onLine,
      changed: () => {
        // Offline before the server's list came: the saved read markers are what the screens go by
        // from now on (a chat placed by them stays placed when the connection comes back).
        if (this.#offline.offline) this.list.settled = true;
        this.#changed(true);
      },
    });
    this.list = new ConversationList({
      client: this.client,
      changed: (now) => this.#changed(now),
      stopped: () => this.#stopped,
      arrived: (list) => {
        for (const c of list) this.#views.setSummary(c);
        this.#receipts.catchUp(list, this.userId);
      },
      failed: (err) => this.#maybeSignedOut(err),
    });
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
    this.#unwatchPage = watchPage({
      token: this.saved.token,
      onSignedOutInAnotherTab: () => {
        this.signedOutInAnotherTab = true;
        this.signedOutRemotely = true;
        this.#changed(true);
      },
      onBack: this.#reconnectNow,
      onNetworkLost: () => this.#offline.changed(),
      // Leaving the page (or the tab going to the background): write what is pending now.
      onHidden: () => {
        // What was read just now goes before the page does (a phone locked, a tab left).
        this.client.flushReceipts();
        this.list.flush();
        void this.store.flush().catch(() => undefined);
      },
      onShown: () => {
        // Coming back: the notification has done its job.
        clearNotifications();
        // What is on screen now counts as seen: screens render again, so the chat marks it read
        // (whatever opened it: a notification, another tab, a phone's app switcher).
        this.#changed(true);
        // Phones drop sockets of pages in the background: be back at once.
        this.#reconnectNow();
      },
    });
    // Opening without a network: no state change may ever come, so the clock starts now.
    this.#offline.changed(this.client.state);
    void this.#loadMeta();
    void this.list.loadSaved();
    void this.refreshMe();
    void this.search.load();
    void this.refreshConversations().then(() => this.#catchUpSearch());
    void this.setup.start();
  }

  /** End-to-end encryption on this device; the socket connects only once it is ready. */
  get encryption(): EncryptionState {
    return this.setup.state;
  }

  /** Closes the socket and the database (sign-out, quick exit). */
  stop(): void {
    // Leaving (sign-out, quick exit) ends a call: the hang-up frame is written before the socket closes.
    void this.client.calls.hangup();
    this.lock.stop();
    this.#unwatchPage?.();
    this.#offline.stop();
    this.list.stop();
    clearNotifications();
    this.#stopped = true;
    this.setup.stop();
    this.files.clear();
    this.#views.close();
    this.client.close();
    void this.store.close().catch(() => undefined);
    void this.keyStore.close().catch(() => undefined);
    void this.search.close().catch(() => undefined);
    this.#changes.stop();
  }

  /** No live connection for a few seconds (the app says so; what is written waits in the outbox). */
  get offline(): boolean {
    return this.#offline.offline;
  }

  /** The network is back (or the page came to the front): reconnect now, not after the backoff. */
  readonly #reconnectNow = (): void => {
    if (this.#stopped) return;
    this.#offline.changed();
    // Opened without a network: set-up was waiting to retry; it connects once it is through.
    if (this.encryption.kind === "unreachable") this.setup.retryNow();
    if (this.encryption.kind !== "ready") return;
    if (this.client.state === State.Disconnected) this.client.connect();
  };

  get userId(): string {
    return this.saved.userId;
  }

  get connected(): boolean {
    return this.client.state === State.Connected;
  }

  // ------------------------------------------------------------------ subscription

  /** Re-render hook: called (batched) after anything shown changed. */
  subscribe = (listener: () => void): (() => void) => this.#changes.subscribe(listener);

  /** A number that changes whenever anything shown changed (for `useSyncExternalStore`). */
  getVersion = (): number => this.#changes.version;

  /** Every message event (for announcing new messages). */
  onMessage(listener: (m: ReceivedMessage) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  #changed(now = false): void {
    this.#changes.changed(now);
  }

  // ------------------------------------------------------------------ loading

  async #loadMeta(): Promise<void> {
    try {
      await this.#receipts.load();
      for (const id of this.#views.ids()) this.#views.setWatermarks(id, this.#receipts.marks(id));
      await this.labels.load();
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

  /** The conversations this user is in, from the server (the list screen, after changes). */
  refreshConversations(): Promise<void> {
    return this.list.refresh();
  }

  /** The conversation list as the screens show it. */
  get conversations(): ConversationSummary[] {
    return this.list.conversations;
  }

  /** Whether a list (saved or the server's) has arrived yet. */
  get conversationsLoaded(): boolean {
    return this.list.loaded;
  }

  /**
   * Whether the read markers are as good as they will get: the server's list has come since the
   * session started, or it could not be fetched, or the app went offline first (no network, or no
   * socket for a few seconds: a fetch on a bad network is not waited for), so the saved ones are
   * all there is.
   */
  get readMarkersSettled(): boolean {
    return this.list.settled;
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
   * A conversation's view starts with its members and their marks from the list (once loaded),
   * and the marks this device remembers.
   */
  #seedView(conversationId: string): void {
    const summary = this.list.find(conversationId);
    if (summary) this.#views.setSummary(summary);
    this.#views.setWatermarks(conversationId, this.#receipts.marks(conversationId));
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
      this.#offline.changed(newState);
      this.#changed();
    });
    c.on("synced", () => void this.refreshConversations().then(() => this.#catchUpSearch()));
    c.calls.on("state", () => this.#changed(true));
    c.on("conversation", () => this.list.scheduleRefresh());
    c.on("message", (m) => {
      this.#onMessage(m);
      if (!m.own && m.kind === "message") this.#notify(m);
      this.search.onMessage(m);
      for (const l of this.#messageListeners) l(m);
    });
    c.on("receipt", (r) => {
      if (r.userId === this.userId) {
        // My own read marker moved (another of my devices read): unread drops.
        if (r.kind === "read") {
          this.list.setReadSeq(r.conversationId, r.seq);
          // Everything was read elsewhere: "New message" would no longer be true.
          if (this.conversations.every((s) => s.unread === 0)) clearNotifications();
        }
        return;
      }
      // Remembered for the next start; the conversation's view moves its statuses itself.
      this.#receipts.received(r);
      this.#changed();
    });
    c.on("typing", (t) => {
      if (t.userId === this.userId) return;
      this.#typing.seen(t);
      this.#changed(true);
    });
  }

  #onMessage(m: ReceivedMessage): void {
    this.list.counted(m);
    if (!m.own && m.kind === "message") {
      // A message ends that person's typing.
      this.#typing.ended(m.conversationId, m.senderId);
    }
    this.#changed();
  }

  /** Loads a conversation's messages from this device's store (then keeps it current). */
  openConversation(conversationId: string): Promise<void> {
    return this.#views.open(conversationId);
  }

  /** The loaded messages of a conversation, oldest first, and a version that changes with them. */
  messages(conversationId: string): { list: readonly ChatMessage[]; version: number } | undefined {
    return this.#views.list(conversationId);
  }

  /** One loaded message, by id (for showing what a reply answers). */
  message(conversationId: string, messageId: string): ChatMessage | undefined {
    return this.#views.message(conversationId, messageId);
  }

  /**
   * The status of one of my messages (the SDK's view: the ack and the other members' watermarks);
   * "read" shows as "delivered" when this device hides others' reads.
   */
  status(m: ChatMessage): MessageStatus {
    return m.status === "read" && !this.display.showReadReceipts ? "delivered" : m.status;
  }

  /** Who is typing in a conversation now (never me). */
  typing(conversationId: string): string[] {
    if (!this.display.showTyping) return [];
    return this.#typing.in(conversationId);
  }

  /** A member's display name in a conversation. */
  nameOf(conversationId: string, userId: string): string {
    return memberName(this.conversations, conversationId, userId, this.userId);
  }

  // ------------------------------------------------------------------ actions

  /** Sends a message; it shows at once as pending (the SDK's view reads it from the outbox). */
  async send(conversationId: string, text: string, replyTo?: MessageId): Promise<void> {
    const content = replyTo ? { text, replyTo } : { text };
    await this.client.send(conversationId as ConversationId, content);
    this.#changed(true);
  }

  /** Encrypts, uploads and sends a file; it shows as pending once uploaded. */
  sendFile(conversationId: string, file: File, caption?: string): Promise<void> {
    return this.#uploads.send(conversationId, file, caption);
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
    if (this.#views.forgetFailed(conversationId, messageId)) this.#changed(true);
  }

  /** Edits one of my messages for everyone; shown at once, marked "edited" on every side. */
  async editMessage(conversationId: string, messageId: MessageId, text: string): Promise<void> {
    await this.#views.edit(conversationId, messageId, text);
    this.#changed(true);
  }

  /** Deletes one of my messages for everyone. */
  async deleteMessage(conversationId: string, messageId: MessageId): Promise<void> {
    // Queued, the deletion takes the message's content off its view at once.
    // Through the open view, so the message's edits are deleted with it.
    if (!(await this.#views.delete(conversationId, messageId))) {
      await this.client.deleteMessage(conversationId as ConversationId, messageId);
    }
    this.#changed(true);
  }

  /** Marks everything up to `seq` as read (the SDK clamps and batches). */
  markRead(conversationId: string, seq: number): void {
    this.client.markRead(conversationId as ConversationId, seq);
    this.list.setReadSeq(conversationId, seq);
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
    const summary = this.list.find(m.conversationId);
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
    await this.labels.set(userId, label);
    this.#changed(true);
  }
}
