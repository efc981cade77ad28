import type { ConversationId, UserId } from "@hearth/protocol";
import type { NotifySettings, NotifyStore } from "../../modules/notify/notify-store.ts";
import { type FieldCodec, openNullable, sealNullable } from "../at-rest/field-codec.ts";
import type { Db } from "./storage-dialect.ts";

/**
 * The notify port over SQL (tables `notify_settings`, `notify_outbox`, `notify_sent`,
 * `unsubscribe_tokens`; reads `members`, `entries` and `users` metadata, never a body). The email
 * address goes through `codec` (encrypted at rest when that is on; "none" stays null).
 */
export class KyselyNotifyStore implements NotifyStore {
  readonly #db: Db;
  readonly #codec: FieldCodec;

  constructor(db: Db, codec: FieldCodec) {
    this.#db = db;
    this.#codec = codec;
  }

  async getSettings(userId: UserId) {
    const r = await this.#db
      .selectFrom("notify_settings")
      .selectAll()
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!r) return undefined;
    const quiet =
      r.quiet_start && r.quiet_end && r.time_zone
        ? { start: r.quiet_start, end: r.quiet_end, timeZone: r.time_zone }
        : null;
    return {
      userId,
      email: openNullable(this.#codec, "notify_settings.email", r.user_id, r.email),
      emailDelayMinutes: Number(r.email_delay_minutes),
      emailDigest: Number(r.email_digest) === 1,
      quietHours: quiet,
    } satisfies NotifySettings;
  }

  async putSettings(s: NotifySettings, at: string) {
    const values = {
      email: sealNullable(this.#codec, "notify_settings.email", s.userId, s.email),
      email_delay_minutes: s.emailDelayMinutes,
      email_digest: s.emailDigest ? 1 : 0,
      quiet_start: s.quietHours?.start ?? null,
      quiet_end: s.quietHours?.end ?? null,
      time_zone: s.quietHours?.timeZone ?? null,
      updated_at: at,
    };
    await this.#db
      .insertInto("notify_settings")
      .values({ user_id: s.userId, ...values })
      .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
      .execute();
  }

  async clearEmail(userId: UserId, at: string) {
    const r = await this.#db
      .updateTable("notify_settings")
      .set({ email: null, updated_at: at })
      .where("user_id", "=", userId)
      .where("email", "is not", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async emailRecipients(conversationId: ConversationId, senderId: UserId) {
    const rows = await this.#db
      .selectFrom("members")
      .innerJoin("notify_settings", "notify_settings.user_id", "members.user_id")
      .select("members.user_id")
      .where("members.conversation_id", "=", conversationId)
      .where("members.user_id", "!=", senderId)
      .where("notify_settings.email", "is not", null)
      .execute();
    return rows.map((r) => r.user_id as UserId);
  }

  async unreadState(userId: UserId, conversationId: ConversationId) {
    const m = await this.#db
      .selectFrom("members")
      .select("read_seq")
      .where("conversation_id", "=", conversationId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!m) return undefined;
    const e = await this.#db
      .selectFrom("entries")
      .select("sent_at")
      .where("conversation_id", "=", conversationId)
      .where("seq", ">", m.read_seq)
      .where("kind", "=", "message")
      .where("deleted", "=", 0)
      .where("sender_id", "!=", userId)
      .orderBy("seq")
      .limit(1)
      .executeTakeFirst();
    return { oldestUnreadAt: e?.sent_at ?? null };
  }

  async roleOf(userId: UserId) {
    const r = await this.#db.selectFrom("users").select("role").where("id", "=", userId).executeTakeFirst();
    return r?.role;
  }

  async addToOutbox(userId: UserId, conversationId: ConversationId, at: string) {
    await this.#db
      .insertInto("notify_outbox")
      .values({ user_id: userId, conversation_id: conversationId, added_at: at })
      .onConflict((oc) => oc.columns(["user_id", "conversation_id"]).doNothing())
      .execute();
  }

  async outbox(userId: UserId) {
    const rows = await this.#db
      .selectFrom("notify_outbox")
      .select("conversation_id")
      .where("user_id", "=", userId)
      .orderBy("conversation_id")
      .execute();
    return rows.map((r) => r.conversation_id as ConversationId);
  }

  async removeFromOutbox(userId: UserId, conversationIds: ConversationId[]) {
    if (conversationIds.length === 0) return;
    await this.#db
      .deleteFrom("notify_outbox")
      .where("user_id", "=", userId)
      .where("conversation_id", "in", conversationIds)
      .execute();
  }

  async lastSent(userId: UserId, conversationId: ConversationId) {
    const r = await this.#db
      .selectFrom("notify_sent")
      .select("sent_at")
      .where("user_id", "=", userId)
      .where("conversation_id", "=", conversationId)
      .executeTakeFirst();
    return r?.sent_at;
  }

  async markSent(userId: UserId, conversationIds: ConversationId[], at: string) {
    for (const conversationId of conversationIds) {
      await this.#db
        .insertInto("notify_sent")
        .values({ user_id: userId, conversation_id: conversationId, sent_at: at })
        .onConflict((oc) => oc.columns(["user_id", "conversation_id"]).doUpdateSet({ sent_at: at }))
        .execute();
    }
  }

  async addUnsubscribeToken(tokenHash: string, userId: UserId, at: string) {
    await this.#db
      .insertInto("unsubscribe_tokens")
      .values({ token_hash: tokenHash, user_id: userId, created_at: at })
      .execute();
  }

  async unsubscribeTokenUser(tokenHash: string, notBefore: string) {
    const r = await this.#db
      .selectFrom("unsubscribe_tokens")
      .select("user_id")
      .where("token_hash", "=", tokenHash)
      .where("created_at", ">=", notBefore)
      .executeTakeFirst();
    return r?.user_id as UserId | undefined;
  }
}
