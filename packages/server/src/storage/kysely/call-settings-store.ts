import type { UserId } from "@hearth/protocol";
import type { CallSettingsStore } from "../../modules/calls/call-settings-store.ts";
import type { Db } from "./storage-dialect.ts";

/** The calls port over SQL (table `call_settings`). */
export class KyselyCallSettingsStore implements CallSettingsStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async getRelayOnly(userId: UserId) {
    const row = await this.#db
      .selectFrom("call_settings")
      .select("relay_only")
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.relay_only) === 1;
  }

  async setRelayOnly(userId: UserId, relayOnly: boolean, at: string) {
    const v = relayOnly ? 1 : 0;
    await this.#db
      .insertInto("call_settings")
      .values({ user_id: userId, relay_only: v, updated_at: at })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ relay_only: v, updated_at: at }))
      .execute();
  }
}
