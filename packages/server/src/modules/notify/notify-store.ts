import type { ConversationId, UserId } from "@hearth/protocol";

/** A user's email-notification settings and quiet hours. */
export interface NotifySettings {
  userId: UserId;
  /** Where the content-free email goes; null: no email. */
  email: string | null;
  /** How long a message must stay unread on all the user's devices before an email. */
  emailDelayMinutes: number;
  /** One daily digest instead of an email per unread batch (therapists and admins only). */
  emailDigest: boolean;
  /** Quiet hours in the user's time zone, or null for none. */
  quietHours: { start: string; end: string; timeZone: string } | null;
}

/** What a recipient has not read in one conversation: the oldest unread message's time, if any. */
export interface UnreadState {
  /** When the oldest message from someone else after the user's read watermark was sent, or null. */
  oldestUnreadAt: string | null;
}

/**
 * The notify module's port: settings, the per-user outbox of conversations waiting for the next
 * email, when each conversation last caused an email, and one-click unsubscribe tokens (hashes
 * only). It reads the conversations module's memberships, watermarks and log metadata (never a
 * body). Implemented over SQL in `storage/kysely/notify-store.ts`; `test/stores/notify-suite.ts` is
 * its conformance suite.
 */
export interface NotifyStore {
  /** A user's settings; undefined when the user never saved any (the defaults apply). */
  getSettings(userId: UserId): Promise<NotifySettings | undefined>;
  /** Creates or replaces a user's settings. */
  putSettings(s: NotifySettings, at: string): Promise<void>;
  /** Removes the user's email address (unsubscribe); whether there was one. */
  clearEmail(userId: UserId, at: string): Promise<boolean>;
  /** The members of a conversation other than `senderId` who have an email address set. */
  emailRecipients(conversationId: ConversationId, senderId: UserId): Promise<UserId[]>;
  /** The user's unread state in a conversation (undefined when not a member). */
  unreadState(userId: UserId, conversationId: ConversationId): Promise<UnreadState | undefined>;
  /** The user's role, for what settings they may choose. */
  roleOf(userId: UserId): Promise<string | undefined>;
  /** Adds a conversation to the user's outbox (no-op when there already). */
  addToOutbox(userId: UserId, conversationId: ConversationId, at: string): Promise<void>;
  /** The conversations in the user's outbox. */
  outbox(userId: UserId): Promise<ConversationId[]>;
  /** Removes conversations from the user's outbox. */
  removeFromOutbox(userId: UserId, conversationIds: ConversationId[]): Promise<void>;
  /** When the conversation last caused an email to the user, or undefined. */
  lastSent(userId: UserId, conversationId: ConversationId): Promise<string | undefined>;
  /** Records that an email went out for these conversations at `at`. */
  markSent(userId: UserId, conversationIds: ConversationId[], at: string): Promise<void>;
  /** Stores the hash of an unsubscribe token sent to the user. */
  addUnsubscribeToken(tokenHash: string, userId: UserId, at: string): Promise<void>;
  /** The user an unsubscribe token (by hash) was sent to, if it is known and newer than `notBefore`. */
  unsubscribeTokenUser(tokenHash: string, notBefore: string): Promise<UserId | undefined>;
}
