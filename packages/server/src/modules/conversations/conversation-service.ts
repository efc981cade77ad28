import {
  type ConversationId,
  type ConversationSummary,
  type LogEntry,
  type MemberSummary,
  newId,
  type UserId,
} from "@hearth/protocol";
import { type Bus, userTopic } from "../../bus/bus.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { RunInTransaction } from "../../storage/storage.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Session } from "../auth/auth-service.ts";
import type { AuthStore } from "../auth/auth-store.ts";
import type { DeliveryStore, EntryRecord } from "../delivery/delivery-store.ts";
import type { ConversationStore, ConversationView } from "./conversation-store.ts";

/** The wire form of a stored log entry. */
export function toLogEntry(e: EntryRecord): LogEntry {
  const entry: Record<string, unknown> = {
    conversationId: e.conversationId,
    seq: e.seq,
    messageId: e.messageId,
    senderId: e.senderId,
    senderDeviceId: e.senderDeviceId,
    sentAt: e.sentAt,
    kind: e.kind,
  };
  // Node's own base64 (the protocol's browser-safe encoder builds a string per byte first).
  if (e.body)
    entry.body = Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength).toString("base64");
  if (e.target) entry.target = e.target;
  if (e.deleted) entry.deleted = true;
  if (e.epoch !== null) entry.epoch = e.epoch;
  return entry as LogEntry;
}

function toSummary(v: ConversationView): ConversationSummary {
  return {
    conversationId: v.id,
    kind: v.kind,
    members: v.members.map(
      (m) =>
        ({
          userId: m.userId,
          displayName: m.displayName,
          role: m.role,
          deliveredSeq: m.deliveredSeq,
          readSeq: m.sharedReadSeq,
        }) as MemberSummary,
    ),
    lastSeq: v.lastSeq,
    lastActivityAt: v.lastActivityAt,
    readSeq: v.readSeq,
    unread: v.unread,
  };
}

/** Membership and threads: the conversation list, therapy groups, and history reads. */
export class ConversationService {
  readonly #store: ConversationStore;
  readonly #log: DeliveryStore;
  readonly #users: AuthStore;
  readonly #transaction: RunInTransaction;
  readonly #bus: Bus;
  readonly #audit: AuditLog;

  constructor(deps: {
    store: ConversationStore;
    /** The delivery module's log, for history reads. */
    delivery: DeliveryStore;
    /** The auth module's accounts, to check a new group's members. */
    auth: AuthStore;
    transaction: RunInTransaction;
    bus: Bus;
    audit: AuditLog;
  }) {
    this.#store = deps.store;
    this.#log = deps.delivery;
    this.#users = deps.auth;
    this.#transaction = deps.transaction;
    this.#bus = deps.bus;
    this.#audit = deps.audit;
  }

  async list(session: Session): Promise<ConversationSummary[]> {
    return (await this.#store.listConversationViews(session.user.id)).map(toSummary);
  }

  /**
   * A therapist opens a group with several of their own patients (patients they already have a 1:1
   * with). Any other id — unknown, another therapist's patient, another practice — is `not_found`,
   * so the answer does not reveal who exists.
   */
  async createGroup(session: Session, memberIds: UserId[]): Promise<ConversationSummary> {
    if (session.user.role !== "therapist") throw new HttpRefusal("forbidden");
    const mine = new Set(await this.#store.listContacts(session.user.id));
    for (const id of memberIds) {
      const u = mine.has(id) ? await this.#users.getUser(id) : undefined;
      if (u?.role !== "patient" || u.practiceId !== session.user.practiceId) {
        throw new HttpRefusal("not_found", "memberIds");
      }
    }
    const now = new Date().toISOString();
    const id = newId("cnv");
    const all = [session.user.id, ...memberIds];
    await this.#transaction(async (tx) => {
      await tx.conversations.createConversation(
        {
          id,
          practiceId: session.user.practiceId,
          kind: "group",
          createdBy: session.user.id,
          createdAt: now,
          lastSeq: 0,
          lastActivityAt: now,
        },
        all,
      );
      await this.#audit.record("conversation.create", session.user.id, id, tx.audit);
      for (const m of new Set(all)) await this.#audit.record("member.add", m, id, tx.audit);
    });
    for (const m of new Set(all))
      this.#bus.publish(userTopic(m), { type: "conversation", conversationId: id });
    const view = (await this.#store.listConversationViews(session.user.id)).find((v) => v.id === id);
    if (!view) throw new Error("conversation vanished after creation");
    return toSummary(view);
  }

  /** History page for a member; every read is audited. Non-members get `not_found`. */
  async history(
    session: Session,
    conversationId: ConversationId,
    after: number,
    limit: number,
  ): Promise<LogEntry[]> {
    if (!(await this.#store.isMember(conversationId, session.user.id))) throw new HttpRefusal("not_found");
    await this.#audit.record("history.read", session.user.id, conversationId);
    return (await this.#log.entriesAfter(conversationId, after, limit)).map(toLogEntry);
  }
}
