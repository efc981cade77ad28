import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";
import type { KeysStore } from "../../modules/keys/keys-store.ts";
import { bytesOf, type Db, inTransaction, type StorageDialect } from "./storage-dialect.ts";

/**
 * The keys port over SQL (tables `key_packages`, `transfers`; identity and archive keys live on
 * `users`, group state on `conversations`). Claiming a key package differs by database: see
 * {@link StorageDialect.claimRow}.
 */
export class KyselyKeysStore implements KeysStore {
  readonly #db: Db;
  readonly #dialect: StorageDialect;

  constructor(db: Db, dialect: StorageDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async getIdentityKey(userId: UserId) {
    const r = await this.#db
      .selectFrom("users")
      .select("identity_key")
      .where("id", "=", userId)
      .executeTakeFirst();
    return r?.identity_key ?? null;
  }

  async setIdentityKey(userId: UserId, key: string) {
    await this.#db
      .updateTable("users")
      .set({ identity_key: key })
      .where("id", "=", userId)
      .where("identity_key", "is", null)
      .execute();
    return (await this.getIdentityKey(userId)) === key;
  }

  async addKeyPackages(
    deviceId: DeviceId,
    packages: Uint8Array[],
    lastResort: Uint8Array | null,
    at: string,
  ) {
    await inTransaction(this.#db, async (db) => {
      if (packages.length > 0) {
        await db
          .insertInto("key_packages")
          .values(packages.map((data) => ({ device_id: deviceId, data, last_resort: 0, created_at: at })))
          .execute();
      }
      if (lastResort) {
        await db
          .deleteFrom("key_packages")
          .where("device_id", "=", deviceId)
          .where("last_resort", "=", 1)
          .execute();
        await db
          .insertInto("key_packages")
          .values({ device_id: deviceId, data: lastResort, last_resort: 1, created_at: at })
          .execute();
      }
    });
  }

  async countKeyPackages(deviceId: DeviceId) {
    const r = await this.#db
      .selectFrom("key_packages")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("device_id", "=", deviceId)
      .where("last_resort", "=", 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async claimKeyPackage(deviceId: DeviceId) {
    return inTransaction(this.#db, async (db) => {
      // One-time packages first (oldest first); the last resort only when none is left.
      const row = await this.#dialect
        .claimRow(
          db
            .selectFrom("key_packages")
            .select(["id", "data", "last_resort"])
            .where("device_id", "=", deviceId)
            .orderBy("last_resort")
            .orderBy("id")
            .limit(1),
        )
        .executeTakeFirst();
      if (!row) return undefined;
      if (Number(row.last_resort) === 0)
        await db.deleteFrom("key_packages").where("id", "=", row.id).execute();
      return bytesOf(row.data);
    });
  }

  async getGroupState(conversationId: ConversationId) {
    const r = await this.#db
      .selectFrom("conversations")
      .select(["epoch", "group_info"])
      .where("id", "=", conversationId)
      .executeTakeFirst();
    return r && { epoch: Number(r.epoch), groupInfo: r.group_info === null ? null : bytesOf(r.group_info) };
  }

  async getArchiveKey(userId: UserId) {
    const r = await this.#db
      .selectFrom("users")
      .select("archive_key")
      .where("id", "=", userId)
      .executeTakeFirst();
    return r?.archive_key ?? null;
  }

  async setArchiveKey(userId: UserId, record: string) {
    await this.#db.updateTable("users").set({ archive_key: record }).where("id", "=", userId).execute();
  }

  async createTransfer(t: { id: string; userId: UserId; createdAt: string; expiresAt: string }) {
    await this.#db
      .insertInto("transfers")
      .values({ id: t.id, user_id: t.userId, body: null, created_at: t.createdAt, expires_at: t.expiresAt })
      .execute();
  }

  async getTransfer(id: string, userId: UserId, at: string) {
    const r = await this.#db
      .selectFrom("transfers")
      .selectAll()
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        userId: r.user_id as UserId,
        body: r.body === null ? null : bytesOf(r.body),
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      }
    );
  }

  async putTransfer(id: string, userId: UserId, body: Uint8Array, at: string) {
    return inTransaction(this.#db, async (db): Promise<"ok" | "not_found" | "full"> => {
      const r = await db
        .updateTable("transfers")
        .set({ body })
        .where("id", "=", id)
        .where("user_id", "=", userId)
        .where("expires_at", ">", at)
        .where("body", "is", null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return "ok";
      const live = await db
        .selectFrom("transfers")
        .select("id")
        .where("id", "=", id)
        .where("user_id", "=", userId)
        .where("expires_at", ">", at)
        .executeTakeFirst();
      return live ? "full" : "not_found";
    });
  }

  async deleteTransfer(id: string, userId: UserId, at: string) {
    const own = await this.#db
      .deleteFrom("transfers")
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    await this.#db.deleteFrom("transfers").where("expires_at", "<=", at).execute();
    return own.numDeletedRows > 0n;
  }
}
