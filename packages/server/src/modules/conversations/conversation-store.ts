import type { ConversationId, PracticeId, Role, UserId } from "@hearth/protocol";

/** A conversation and its log head. */
export interface ConversationRecord {
  id: ConversationId;
  practiceId: PracticeId;
  kind: "direct" | "group";
  createdBy: UserId;
  createdAt: string;
  lastSeq: number;
  lastActivityAt: string;
}

/** A member of a conversation, with their receipt watermarks. */
export interface MemberRecord {
  conversationId: ConversationId;
  userId: UserId;
  displayName: string;
  role: Role;
  deliveredSeq: number;
  /** Their own read marker (moves on private reads too): never shown to others. */
  readSeq: number;
  /** The read marker they share with the others (read receipts not kept private). */
  sharedReadSeq: number;
}

/** A conversation as one of its members sees it in their list. */
export interface ConversationView extends ConversationRecord {
  readSeq: number;
  unread: number;
  members: MemberRecord[];
}

/**
 * The conversations module's port: conversations, their members, and who shares a conversation
 * with whom. The log itself (entries, watermarks) is the delivery module's. Implemented over SQL in
 * `storage/kysely/conversation-store.ts`; `test/stores/conversation-suite.ts` is its conformance
 * suite.
 */
export interface ConversationStore {
  /** Stores the conversation with its members (each once), in one transaction. */
  createConversation(c: ConversationRecord, memberIds: UserId[]): Promise<void>;
  getConversation(id: ConversationId): Promise<ConversationRecord | undefined>;
  isMember(conversationId: ConversationId, userId: UserId): Promise<boolean>;
  listMembers(conversationId: ConversationId): Promise<MemberRecord[]>;
  /** Ids and log heads of every conversation the user belongs to. */
  listMemberships(userId: UserId): Promise<{ conversationId: ConversationId; lastSeq: number }[]>;
  /** The user's conversation list, newest activity first, with unread counts. */
  listConversationViews(userId: UserId): Promise<ConversationView[]>;
  /** User ids who share at least one conversation with `userId` (for presence). */
  listContacts(userId: UserId): Promise<UserId[]>;
}
