import {
  type AutoReply,
  type ConversationId,
  type OfficeHours,
  OfficeHoursSchema,
  type UserId,
} from "@hearth/protocol";
import type { Selectable } from "kysely";
import type { OfficeHoursStore } from "../../modules/office-hours/office-hours-store.ts";
import type { Database } from "../schema.ts";
import type { Db } from "./storage-dialect.ts";

type ReplyRow = Selectable<Database["auto_replies"]>;

const toReply = (r: ReplyRow): AutoReply => ({
  id: r.id,
  conversationId: r.conversation_id as ConversationId,
  therapistId: r.therapist_id as UserId,
  afterSeq: Number(r.after_seq),
  at: r.created_at,
  nextOpenAt: r.next_open_at,
  typicalReplyHours: Number(r.typical_reply_hours),
  awayText: r.away_text,
});

/** Stored settings are read back through the protocol's schema (a bad row fails loudly, not silently). */
const toHours = (settings: string): OfficeHours => OfficeHoursSchema.parse(JSON.parse(settings));

/** The office-hours port over SQL (tables `office_hours`, `auto_replies`). */
export class KyselyOfficeHoursStore implements OfficeHoursStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async getHours(userId: UserId) {
    const r = await this.#db
      .selectFrom("office_hours")
      .select("settings")
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return r && toHours(r.settings);
  }

  async putHours(userId: UserId, hours: OfficeHours, at: string) {
    const values = { settings: JSON.stringify(hours), updated_at: at };
    await this.#db
      .insertInto("office_hours")
      .values({ user_id: userId, ...values })
      .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
      .execute();
  }

  async anyHours() {
    return (
      (await this.#db.selectFrom("office_hours").select("user_id").limit(1).executeTakeFirst()) !== undefined
    );
  }

  async therapistHours(conversationId: ConversationId) {
    const rows = await this.#db
      .selectFrom("members as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .innerJoin("office_hours as o", "o.user_id", "m.user_id")
      .select(["m.user_id", "o.settings"])
      .where("m.conversation_id", "=", conversationId)
      .where("u.role", "=", "therapist")
      .orderBy("m.user_id")
      .execute();
    return rows.map((r) => ({ userId: r.user_id as UserId, hours: toHours(r.settings) }));
  }

  async addAutoReply(reply: AutoReply, periodKey: string) {
    const r = await this.#db
      .insertInto("auto_replies")
      .values({
        id: reply.id,
        conversation_id: reply.conversationId,
        therapist_id: reply.therapistId,
        period_key: periodKey,
        after_seq: reply.afterSeq,
        next_open_at: reply.nextOpenAt,
        typical_reply_hours: reply.typicalReplyHours,
        away_text: reply.awayText,
        created_at: reply.at,
      })
      .onConflict((oc) => oc.columns(["conversation_id", "therapist_id", "period_key"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async listAutoReplies(conversationId: ConversationId, limit: number) {
    const rows = await this.#db
      .selectFrom("auto_replies")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .orderBy("after_seq")
      .orderBy("created_at")
      .limit(limit)
      .execute();
    return rows.map(toReply);
  }
}
