import { randomBytes } from "node:crypto";
import {
  type AutoReply,
  type ConversationId,
  type ConversationOfficeHoursResponse,
  type MyOfficeHoursResponse,
  type OfficeHours,
  officeStatus,
  type UserId,
} from "@hearth/protocol";
import type { Logger } from "pino";
import { type Bus, conversationTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Session } from "../auth/auth-service.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { OfficeHoursStore } from "./office-hours-store.ts";

/** How long "nobody has set office hours" is trusted before the store is asked again. */
const ANY_RECHECK_MS = 10_000;
/** The most automatic replies one listing returns (a conversation has one per closed period). */
const LIST_LIMIT = 500;

/**
 * Office hours and automatic replies. A therapist sets their hours (their own settings, not patient
 * content); when a patient's message is stored while a therapist of that conversation is closed,
 * one automatic reply per closed period is recorded (a unique row: durable, once across restarts
 * and nodes) and announced to the conversation as an `auto_reply` frame. The server composes no
 * message — it cannot, the log is end-to-end encrypted — the patient's device renders the entry,
 * with its own crisis lines.
 */
export class OfficeHoursService {
  readonly #store: OfficeHoursStore;
  readonly #conversations: ConversationStore;
  readonly #roleOf: (userId: UserId) => Promise<string | undefined>;
  readonly #bus: Bus;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #work = new Set<Promise<void>>();

  /** Whether anyone has office hours, and when that was last read. */
  #any = { value: false, at: Number.NEGATIVE_INFINITY };

  constructor(deps: {
    store: OfficeHoursStore;
    conversations: ConversationStore;
    /** A user's role (the auth module's users). */
    roleOf: (userId: UserId) => Promise<string | undefined>;
    bus: Bus;
    audit: AuditLog;
    clock: Clock;
    log: Logger;
  }) {
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#roleOf = deps.roleOf;
    this.#bus = deps.bus;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  async mine(session: Session): Promise<MyOfficeHoursResponse> {
    return { hours: (await this.#store.getHours(session.user.id)) ?? null };
  }

  /** Sets the therapist's office hours; anyone else is `forbidden`. */
  async update(session: Session, hours: OfficeHours): Promise<MyOfficeHoursResponse> {
    if (session.user.role !== "therapist") throw new HttpRefusal("forbidden");
    await this.#store.putHours(session.user.id, hours, new Date(this.#clock.now()).toISOString());
    this.#any = { value: true, at: this.#clock.now() };
    await this.#audit.record("office_hours.update", session.user.id, null);
    return { hours };
  }

  /** The office hours of a conversation's therapists, for its members; others get `not_found`. */
  async forConversation(
    session: Session,
    conversationId: ConversationId,
  ): Promise<ConversationOfficeHoursResponse> {
    await this.#member(session, conversationId);
    return { therapists: await this.#store.therapistHours(conversationId) };
  }

  /** The automatic replies of a conversation, for its members; others get `not_found`. */
  async autoReplies(session: Session, conversationId: ConversationId): Promise<AutoReply[]> {
    await this.#member(session, conversationId);
    return this.#store.listAutoReplies(conversationId, LIST_LIMIT);
  }

  async #member(session: Session, conversationId: ConversationId) {
    if (!(await this.#conversations.isMember(conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
  }

  /**
   * A message was stored (the delivery module's event, after commit). Returns at once; the check
   * runs after, never on the append path. Only a patient's message can call for an automatic reply.
   */
  messageStored(e: { conversationId: ConversationId; seq: number; senderId: UserId }): void {
    // Known to have no office hours anywhere (checked within ANY_RECHECK_MS): nothing to start.
    if (!this.#any.value && this.#clock.now() - this.#any.at < ANY_RECHECK_MS) return;
    const work = this.#check(e).catch((err: unknown) => {
      this.#log.error({ err: { type: (err as Error).name } }, "office-hours check failed");
    });
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  async #check(e: { conversationId: ConversationId; seq: number; senderId: UserId }) {
    // Most practices never set office hours: one lookup per ANY_RECHECK_MS instead of one per message
    // (another node's first setting is seen within that window).
    const checkedAt = this.#clock.now();
    if (checkedAt - this.#any.at >= ANY_RECHECK_MS) {
      this.#any = { value: await this.#store.anyHours(), at: checkedAt };
    }
    if (!this.#any.value) return;
    const therapists = await this.#store.therapistHours(e.conversationId);
    if (therapists.length === 0) return;
    if ((await this.#roleOf(e.senderId)) !== "patient") return;
    const now = this.#clock.now();
    for (const { userId, hours } of therapists) {
      if (!hours.autoReply || hours.weekly.length === 0) continue;
      const status = officeStatus(hours, now);
      if (status.open) continue;
      const nextOpenAt = status.nextOpenAt === null ? null : new Date(status.nextOpenAt).toISOString();
      const reply: AutoReply = {
        id: `arp_${randomBytes(16).toString("base64url")}`,
        conversationId: e.conversationId,
        therapistId: userId,
        afterSeq: e.seq,
        at: new Date(now).toISOString(),
        nextOpenAt,
        typicalReplyHours: hours.typicalReplyHours,
        awayText: hours.awayText,
      };
      // The closed period is named by its end: every message until the next opening shares it.
      if (await this.#store.addAutoReply(reply, nextOpenAt ?? "none")) {
        this.#bus.publish(conversationTopic(e.conversationId), { type: "auto_reply", autoReply: reply });
      }
    }
  }

  /** Test hook: resolves once every check started so far has finished. */
  async idle(): Promise<void> {
    while (this.#work.size > 0) await Promise.all([...this.#work]);
  }
}
