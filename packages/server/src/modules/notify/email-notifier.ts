import {
  type ConversationId,
  EMAIL_DELAY_MINUTES,
  type NotificationSettings,
  type UserId,
} from "@hearth/protocol";
import type { Logger } from "pino";
import type { Clock } from "../../clock.ts";
import { hashSecret, newSecret } from "../../secrets.ts";
import { nextAllowedInstant, wallTime, zonedInstant } from "../schedule/quiet-hours.ts";
import type { JobDeferral, Scheduler } from "../schedule/schedule-service.ts";
import type { Mailer } from "./mailer.ts";
import type { NotifySettings, NotifyStore } from "./notify-store.ts";

/** The subject of every notification email, and all it says: no sender, name, text or conversation. */
export const EMAIL_SUBJECT = "You have a new secure message in Hearth";
/** The subject of an appointment reminder email, and all it says unless the user asked for the time. */
export const REMINDER_SUBJECT = "Reminder from Hearth";
/** Job kinds of the email fallback. */
export const EMAIL_JOBS = { unread: "email.unread", batch: "email.batch" } as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Options of the {@link EmailNotifier}. */
export interface EmailNotifierOptions {
  /** The server's public base URL (links in the email). */
  publicUrl: string;
  /** How long due conversations gather before one email goes out. Default 60 s. */
  batchWindowMs?: number;
  /** Local hour of the daily digest. Default 8. */
  digestHour?: number;
  /** How long an emailed unsubscribe link keeps working. Default 180 days. */
  unsubscribeTtlMs?: number;
}

type UnreadPayload = { userId: UserId; conversationId: ConversationId };
type BatchPayload = { userId: UserId };

const defaults = (userId: UserId): NotifySettings => ({
  userId,
  email: null,
  emailDelayMinutes: EMAIL_DELAY_MINUTES.default,
  emailDigest: false,
  quietHours: null,
});

/**
 * The content-free email fallback. When a message stays unread on all of a user's devices for the
 * user's delay, the conversation joins the user's outbox; one email then goes out for the whole
 * outbox (batched; or once a day as a digest for staff who chose it), never in quiet hours, at most
 * one per conversation per hour, with a one-click unsubscribe link. One durable job per
 * (user, conversation) and one per user, deduplicated, so a busy conversation costs no more.
 */
export class EmailNotifier {
  readonly #store: NotifyStore;
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #mailer: Mailer | undefined;
  readonly #log: Logger | undefined;
  readonly #publicUrl: string;
  readonly #batchWindowMs: number;
  readonly #digestHour: number;
  readonly #unsubscribeTtlMs: number;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(
    deps: { store: NotifyStore; scheduler: Scheduler; clock: Clock; mailer?: Mailer; log?: Logger },
    options: EmailNotifierOptions,
  ) {
    this.#store = deps.store;
    this.#scheduler = deps.scheduler;
    this.#clock = deps.clock;
    this.#mailer = deps.mailer;
    this.#log = deps.log;
    this.#publicUrl = options.publicUrl.replace(/\/+$/, "");
    this.#batchWindowMs = options.batchWindowMs ?? 60_000;
    this.#digestHour = options.digestHour ?? 8;
    this.#unsubscribeTtlMs = options.unsubscribeTtlMs ?? 180 * DAY;
    this.#scheduler.registerHandler<UnreadPayload>(EMAIL_JOBS.unread, (p) => this.#unreadDue(p));
    this.#scheduler.registerHandler<BatchPayload>(EMAIL_JOBS.batch, (p) => this.#batchDue(p));
  }

  /** Whether email can go out at all (SMTP is configured). */
  get enabled(): boolean {
    return this.#mailer !== undefined;
  }

  /** Delivery hook: a message was stored. Schedules (at most) one check per recipient with an email. */
  messageStored(e: { conversationId: ConversationId; seq: number; senderId: UserId }): void {
    if (!this.#mailer) return;
    this.#track(this.#onMessage(e.conversationId, e.senderId));
  }

  /** Delivery hook: a user read up to a seq. When nothing is left unread, the pending check goes. */
  readUpTo(e: { conversationId: ConversationId; userId: UserId; seq: number }): void {
    if (!this.#mailer) return;
    this.#track(this.#onRead(e.conversationId, e.userId));
  }

  /** Waits for hook work in progress (graceful shutdown, tests). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** A user's settings as the API shows them (defaults when never saved). */
  async settings(userId: UserId): Promise<NotificationSettings> {
    const s = (await this.#store.getSettings(userId)) ?? defaults(userId);
    return {
      email: s.email,
      emailDelayMinutes: s.emailDelayMinutes,
      emailDigest: s.emailDigest,
      quietHours: s.quietHours,
    };
  }

  /** Saves a user's settings. */
  async updateSettings(userId: UserId, body: NotificationSettings): Promise<NotificationSettings> {
    await this.#store.putSettings({ userId, ...body }, new Date(this.#clock.now()).toISOString());
    return this.settings(userId);
  }

  /** One-click unsubscribe: removes the address the token was sent for. The user, or undefined. */
  async unsubscribe(token: string): Promise<UserId | undefined> {
    const notBefore = new Date(this.#clock.now() - this.#unsubscribeTtlMs).toISOString();
    const userId = await this.#store.unsubscribeTokenUser(hashSecret(token), notBefore);
    if (!userId) return undefined;
    await this.#store.clearEmail(userId, new Date(this.#clock.now()).toISOString());
    return userId;
  }

  /**
   * An appointment reminder by email, sent now, to the user's notification address (none: nothing):
   * subject "Reminder from Hearth", never a name, a conversation or a note; `when` (the session's
   * local time, already formatted) only when the user opted in. With the unsubscribe links.
   */
  async remind(userId: UserId, when: string | undefined): Promise<void> {
    if (!this.#mailer) return;
    const s = await this.#store.getSettings(userId);
    if (!s?.email) return;
    const token = newSecret();
    await this.#store.addUnsubscribeToken(
      hashSecret(token),
      userId,
      new Date(this.#clock.now()).toISOString(),
    );
    const mail = this.#compose(s.email, token);
    await this.#mailer.send({
      ...mail,
      subject: REMINDER_SUBJECT,
      text: [
        `${REMINDER_SUBJECT}.`,
        "",
        when ? `You have a session on ${when}.` : "You have a session coming up.",
        `Open Hearth to see it: ${this.#publicUrl}/`,
        "",
        "You get this email because you chose appointment reminders by email.",
        `To stop notification emails: ${this.#publicUrl}/unsubscribe/${token}`,
        "",
      ].join("\n"),
    });
  }

  #track(p: Promise<unknown>) {
    const tracked = p.catch((err: unknown) => {
      this.#log?.error(
        { err: { type: (err as Error).name, code: (err as { code?: string }).code } },
        "email hook failed",
      );
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  async #onMessage(conversationId: ConversationId, senderId: UserId) {
    const now = this.#clock.now();
    for (const userId of await this.#store.emailRecipients(conversationId, senderId)) {
      const s = await this.#store.getSettings(userId);
      if (!s?.email) continue;
      await this.#scheduler.enqueue(
        EMAIL_JOBS.unread,
        { userId, conversationId } satisfies UnreadPayload,
        now + s.emailDelayMinutes * 60_000,
        { dedupeKey: unreadKey(userId, conversationId) },
      );
    }
  }

  async #onRead(conversationId: ConversationId, userId: UserId) {
    const state = await this.#store.unreadState(userId, conversationId);
    if (state && state.oldestUnreadAt === null)
      await this.#scheduler.cancel(unreadKey(userId, conversationId));
  }

  /** A conversation's check fell due: if it is still unread long enough, it joins the outbox. */
  async #unreadDue({ userId, conversationId }: UnreadPayload): Promise<JobDeferral | undefined> {
    const s = await this.#store.getSettings(userId);
    if (!s?.email) return undefined;
    const state = await this.#store.unreadState(userId, conversationId);
    if (!state?.oldestUnreadAt) return undefined;
    // The job was due `delay` after the first message nobody read; a read of everything in between
    // cancelled it (`readUpTo`), and the next message started a new one.
    const now = this.#clock.now();
    const last = await this.#store.lastSent(userId, conversationId);
    if (last && Date.parse(last) + HOUR > now) return { deferUntil: Date.parse(last) + HOUR };
    await this.#store.addToOutbox(userId, conversationId, new Date(now).toISOString());
    const at = s.emailDigest ? this.#nextDigest(now, s) : now + this.#batchWindowMs;
    await this.#scheduler.enqueue(EMAIL_JOBS.batch, { userId } satisfies BatchPayload, at, {
      dedupeKey: `${EMAIL_JOBS.batch}:${userId}`,
    });
    return undefined;
  }

  /** The user's outbox fell due: one email for every conversation in it still unread. */
  async #batchDue({ userId }: BatchPayload): Promise<JobDeferral | undefined> {
    const s = await this.#store.getSettings(userId);
    const waiting = await this.#store.outbox(userId);
    if (!s?.email || !this.#mailer) {
      await this.#store.removeFromOutbox(userId, waiting);
      return undefined;
    }
    const now = this.#clock.now();
    if (s.quietHours) {
      const allowed = nextAllowedInstant(now, s.quietHours);
      if (allowed > now) return { deferUntil: allowed };
    }
    const unread: ConversationId[] = [];
    for (const c of waiting) if ((await this.#store.unreadState(userId, c))?.oldestUnreadAt) unread.push(c);
    if (unread.length > 0) {
      const token = newSecret();
      const at = new Date(now).toISOString();
      await this.#store.addUnsubscribeToken(hashSecret(token), userId, at);
      await this.#mailer.send(this.#compose(s.email, token));
      await this.#store.markSent(userId, unread, at);
    }
    await this.#store.removeFromOutbox(userId, waiting);
    return undefined;
  }

  /** The email: a fixed text, the app's address and the unsubscribe links. Nothing about the message. */
  #compose(to: string, token: string) {
    const oneClick = `${this.#publicUrl}/v1/unsubscribe/${token}`;
    const page = `${this.#publicUrl}/unsubscribe/${token}`;
    return {
      to,
      subject: EMAIL_SUBJECT,
      text: [
        `${EMAIL_SUBJECT}.`,
        "",
        `Open Hearth to read it: ${this.#publicUrl}/`,
        "",
        "You get this email because a message waited unread on all your devices for a while.",
        `To stop these emails: ${page}`,
        "",
      ].join("\n"),
      headers: {
        // RFC 2369 and RFC 8058: one-click unsubscribe by an HTTPS POST, no sign-in.
        "List-Unsubscribe": `<${oneClick}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
      },
    };
  }

  /** The next digest time: `digestHour`:00 in the user's zone (UTC without quiet hours), then quiet hours. */
  #nextDigest(now: number, s: NotifySettings): number {
    const tz = s.quietHours?.timeZone ?? "UTC";
    const w = wallTime(now, tz);
    let at = zonedInstant(tz, w.year, w.month, w.day, this.#digestHour, 0);
    if (at <= now) {
      const d = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
      at = zonedInstant(tz, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), this.#digestHour, 0);
    }
    return at;
  }
}

const unreadKey = (userId: UserId, conversationId: ConversationId) =>
  `${EMAIL_JOBS.unread}:${userId}:${conversationId}`;
