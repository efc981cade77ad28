import type { ConversationId, PracticeId, UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type {
  ConversationRecord,
  ConversationStore,
  ConversationView,
  MemberRecord,
} from "../../modules/conversations/conversation-store.ts";
import type { FieldCodec } from "../at-rest/field-codec.ts";
import type { Database } from "../schema.ts";
import { type Db, inTransaction } from "./storage-dialect.ts";

/** A conversation row as a record. */
const toConversation = (r: Selectable<Database["conversations"]>): ConversationRecord => ({
  id: r.id as ConversationId,
  practiceId: r.practice_id as PracticeId,
  kind: r.kind,
  createdBy: r.created_by as UserId,
  createdAt: r.created_at,
  lastSeq: Number(r.last_seq),
  lastActivityAt: r.last_activity_at,
});

/**
 * The conversations port over SQL (tables `conversations`, `members`; unread counts read `entries`;
 * members' names read `users` and are opened through `codec`).
 */
export class KyselyConversationStore implements ConversationStore {
  readonly #db: Db;
  readonly #codec: FieldCodec;

  constructor(db: Db, codec: FieldCodec) {
    this.#db = db;
    this.#codec = codec;
  }

  async createConversation(c: ConversationRecord, memberIds: UserId[]) {
    await inTransaction(this.#db, async (db) => {
      await db
        .insertInto("conversations")
        .values({
          id: c.id,
          practice_id: c.practiceId,
          kind: c.kind,
          created_by: c.createdBy,
          created_at: c.createdAt,
          last_seq: c.lastSeq,
          last_activity_at: c.lastActivityAt,
        })
        .execute();
      await db
        .insertInto("members")
        .values(
          [...new Set(memberIds)].map((userId) => ({
            conversation_id: c.id,
            user_id: userId,
            joined_at: c.createdAt,
            delivered_seq: 0,
            read_seq: 0,
          })),
        )
        .execute();
    });
  }

  async getConversation(id: ConversationId) {
    const r = await this.#db.selectFrom("conversations").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toConversation(r);
  }

  async isMember(conversationId: ConversationId, userId: UserId) {
    const r = await this.#db
      .selectFrom("members")
      .select("user_id")
      .where("conversation_id", "=", conversationId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return r !== undefined;
  }

  async listMembers(conversationId: ConversationId) {
    const rows = await this.#db
      .selectFrom("members")
      .innerJoin("users", "users.id", "members.user_id")
      .select([
        "members.conversation_id",
        "members.user_id",
        "members.delivered_seq",
        "members.read_seq",
        "members.shared_read_seq",
        "users.display_name",
        "users.role",
      ])
      .where("members.conversation_id", "=", conversationId)
      .orderBy("members.joined_at")
      .orderBy("members.user_id")
      .execute();
    return rows.map(
      (r): MemberRecord => ({
        conversationId: r.conversation_id as ConversationId,
        userId: r.user_id as UserId,
        displayName: this.#codec.open("users.display_name", r.user_id, r.display_name),
        role: r.role,
        deliveredSeq: Number(r.delivered_seq),
        readSeq: Number(r.read_seq),
        sharedReadSeq: Number(r.shared_read_seq),
      }),
    );
  }

  async listMemberships(userId: UserId) {
    const rows = await this.#db
      .selectFrom("members")
      .innerJoin("conversations", "conversations.id", "members.conversation_id")
      .select(["conversations.id", "conversations.last_seq"])
      .where("members.user_id", "=", userId)
      .execute();
    return rows.map((r) => ({ conversationId: r.id as ConversationId, lastSeq: Number(r.last_seq) }));
  }

  async listConversationViews(userId: UserId) {
    const rows = await this.#db
      .selectFrom("members as m")
      .innerJoin("conversations as c", "c.id", "m.conversation_id")
      .selectAll("c")
      .select("m.read_seq")
      .select((eb) =>
        eb
          .selectFrom("entries as e")
          .select((eb2) => eb2.fn.countAll().as("n"))
          .whereRef("e.conversation_id", "=", "c.id")
          .whereRef("e.seq", ">", "m.read_seq")
          .where("e.sender_id", "!=", userId)
          .where("e.kind", "=", "message")
          .where("e.deleted", "=", 0)
          .as("unread"),
      )
      .where("m.user_id", "=", userId)
      .orderBy("c.last_activity_at", "desc")
      .execute();
    const views: ConversationView[] = [];
    for (const r of rows) {
      const conversation = toConversation(r);
      views.push({
        ...conversation,
        readSeq: Number(r.read_seq),
        unread: Number(r.unread ?? 0),
        members: await this.listMembers(conversation.id),
      });
    }
    return views;
  }

  async listContacts(userId: UserId) {
    const rows = await this.#db
      .selectFrom("members as mine")
      .innerJoin("members as other", "other.conversation_id", "mine.conversation_id")
      .select("other.user_id")
      .distinct()
      .where("mine.user_id", "=", userId)
      .where("other.user_id", "!=", userId)
      .execute();
    return rows.map((r) => r.user_id as UserId);
  }
}
