import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type { PushStore, PushSubscriptionRecord } from "../../modules/push/push-store.ts";
import type { FieldCodec } from "../at-rest/field-codec.ts";
import type { Database } from "../schema.ts";
import type { Db } from "./storage-dialect.ts";

type Row = Selectable<Database["push_subscriptions"]>;

// The endpoint URL (it names the browser's push channel) and its keys go through the codec.
const toRecord = (r: Row, codec: FieldCodec): PushSubscriptionRecord => ({
  deviceId: r.device_id as DeviceId,
  userId: r.user_id as UserId,
  endpoint: codec.open("push_subscriptions.endpoint", r.device_id, r.endpoint),
  p256dh: codec.open("push_subscriptions.p256dh", r.device_id, r.p256dh),
  auth: codec.open("push_subscriptions.auth", r.device_id, r.auth),
  aliasKey: r.alias_key,
  showSender: Number(r.show_sender) === 1,
  createdAt: r.created_at,
});

/** The push port over SQL (table `push_subscriptions`; endpoint and keys sealed by `codec`). */
export class KyselyPushStore implements PushStore {
  readonly #db: Db;
  readonly #codec: FieldCodec;

  constructor(db: Db, codec: FieldCodec) {
    this.#db = db;
    this.#codec = codec;
  }

  async putSubscription(s: PushSubscriptionRecord) {
    const c = this.#codec;
    const values = {
      user_id: s.userId,
      endpoint: c.seal("push_subscriptions.endpoint", s.deviceId, s.endpoint),
      p256dh: c.seal("push_subscriptions.p256dh", s.deviceId, s.p256dh),
      auth: c.seal("push_subscriptions.auth", s.deviceId, s.auth),
      alias_key: s.aliasKey,
      show_sender: s.showSender ? 1 : 0,
      created_at: s.createdAt,
    };
    await this.#db
      .insertInto("push_subscriptions")
      .values({ device_id: s.deviceId, ...values })
      .onConflict((oc) => oc.column("device_id").doUpdateSet(values))
      .execute();
  }

  async getSubscription(deviceId: DeviceId) {
    const r = await this.#db
      .selectFrom("push_subscriptions")
      .selectAll()
      .where("device_id", "=", deviceId)
      .executeTakeFirst();
    return r && toRecord(r, this.#codec);
  }

  async deleteSubscription(deviceId: DeviceId) {
    const r = await this.#db
      .deleteFrom("push_subscriptions")
      .where("device_id", "=", deviceId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteSubscriptionIfEndpoint(deviceId: DeviceId, endpoint: string) {
    // A sealed endpoint cannot be compared in SQL (each sealing differs): compare the opened one,
    // and delete only the very row that was read (the stored form), so a newer subscription stays.
    const r = await this.#db
      .selectFrom("push_subscriptions")
      .select("endpoint")
      .where("device_id", "=", deviceId)
      .executeTakeFirst();
    if (!r || this.#codec.open("push_subscriptions.endpoint", deviceId, r.endpoint) !== endpoint) return;
    await this.#db
      .deleteFrom("push_subscriptions")
      .where("device_id", "=", deviceId)
      .where("endpoint", "=", r.endpoint)
      .execute();
  }

  async subscriptionsForConversation(conversationId: ConversationId, exceptUserId: UserId) {
    const rows = await this.#db
      .selectFrom("push_subscriptions as s")
      .innerJoin("members as m", "m.user_id", "s.user_id")
      .innerJoin("devices as d", "d.id", "s.device_id")
      .selectAll("s")
      .where("m.conversation_id", "=", conversationId)
      .where("s.user_id", "!=", exceptUserId)
      .where("d.revoked_at", "is", null)
      .execute();
    return rows.map((r) => toRecord(r, this.#codec));
  }

  async subscriptionsForUser(userId: UserId) {
    const rows = await this.#db
      .selectFrom("push_subscriptions as s")
      .innerJoin("devices as d", "d.id", "s.device_id")
      .selectAll("s")
      .where("s.user_id", "=", userId)
      .where("d.revoked_at", "is", null)
      .execute();
    return rows.map((r) => toRecord(r, this.#codec));
  }

  async anySubscriptions() {
    const r = await this.#db.selectFrom("push_subscriptions").select("device_id").limit(1).executeTakeFirst();
    return r !== undefined;
  }
}
