import type { AutoReply, ConversationId, OfficeHours, UserId } from "@hearth/protocol";

/**
 * The office-hours module's port: each therapist's office hours (their own settings, stored as
 * they are), and the automatic replies recorded per conversation, at most one per therapist and
 * closed period (`periodKey`) — the unique row is what makes "once per closed period" hold across
 * restarts and nodes. Implemented over SQL in `storage/kysely/office-hours-store.ts`;
 * `test/stores/office-hours-suite.ts` is its conformance suite.
 */
export interface OfficeHoursStore {
  /** A user's office hours; undefined when never set. */
  getHours(userId: UserId): Promise<OfficeHours | undefined>;
  /** Creates or replaces a user's office hours. */
  putHours(userId: UserId, hours: OfficeHours, at: string): Promise<void>;
  /** Whether anyone has set office hours at all (lets a server where nobody has skip each check). */
  anyHours(): Promise<boolean>;
  /** The conversation's therapist members that have office hours set, with them. */
  therapistHours(conversationId: ConversationId): Promise<{ userId: UserId; hours: OfficeHours }[]>;
  /**
   * Records an automatic reply unless one for the same conversation, therapist and `periodKey`
   * exists; whether this call recorded it.
   */
  addAutoReply(reply: AutoReply, periodKey: string): Promise<boolean>;
  /** A conversation's automatic replies, oldest first, at most `limit`. */
  listAutoReplies(conversationId: ConversationId, limit: number): Promise<AutoReply[]>;
}
