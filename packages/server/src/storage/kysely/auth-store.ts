import type { DeviceId, InviteId, PracticeId, UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type {
  AuthStore,
  DeviceRecord,
  InviteRecord,
  PracticeRecord,
  UserPatch,
  UserRecord,
} from "../../modules/auth/auth-store.ts";
import { type FieldCodec, openNullable, sealNullable } from "../at-rest/field-codec.ts";
import type { Database } from "../schema.ts";
import { loginAttemptQueries } from "./login-attempt-queries.ts";
import { type Db, inTransaction } from "./storage-dialect.ts";

// Rows hold plain strings; the ids in them were branded when they were made, so they are cast back.
// Sealed fields (names, login, email) pass through the codec: encrypted at rest when that is on.
const toUser = (r: Selectable<Database["users"]>, codec: FieldCodec): UserRecord => ({
  id: r.id as UserId,
  practiceId: r.practice_id as PracticeId,
  role: r.role,
  login: codec.open("users.login", r.id, r.login),
  displayName: codec.open("users.display_name", r.id, r.display_name),
  email: openNullable(codec, "users.email", r.id, r.email),
  passwordHash: r.password_hash,
  showPresence: Number(r.show_presence) === 1,
  failedLogins: Number(r.failed_logins),
  lockedUntil: r.locked_until,
  createdAt: r.created_at,
  deactivatedAt: r.deactivated_at,
});

const toDevice = (r: Selectable<Database["devices"]>, codec: FieldCodec): DeviceRecord => ({
  id: r.id as DeviceId,
  userId: r.user_id as UserId,
  name: codec.open("devices.name", r.id, r.name),
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

const toInvite = (r: Selectable<Database["invites"]>): InviteRecord => ({
  id: r.id as InviteId,
  practiceId: r.practice_id as PracticeId,
  inviterId: r.inviter_id as UserId,
  role: r.role,
  tokenHash: r.token_hash,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedBy: r.used_by as UserId | null,
  revokedAt: r.revoked_at,
});

/**
 * The auth port over SQL (tables `meta`, `practices`, `users`, `login_attempts`, `devices`, `invites`).
 * Practice, person and device names, logins and emails go through `codec`; an account is found by
 * `users.login_key`, the codec's key of its login.
 */
export class KyselyAuthStore implements AuthStore {
  readonly #db: Db;
  readonly #codec: FieldCodec;

  constructor(db: Db, codec: FieldCodec) {
    this.#db = db;
    this.#codec = codec;
  }

  async getMeta(key: string) {
    const r = await this.#db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
    return r?.value;
  }

  async setMeta(key: string, value: string) {
    await this.#db
      .insertInto("meta")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
      .execute();
  }

  async ensureMeta(key: string, value: string) {
    await this.#db
      .insertInto("meta")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const r = await this.#db
      .selectFrom("meta")
      .select("value")
      .where("key", "=", key)
      .executeTakeFirstOrThrow();
    return r.value;
  }

  async deleteMeta(key: string) {
    await this.#db.deleteFrom("meta").where("key", "=", key).execute();
  }

  async createPractice(p: PracticeRecord) {
    await this.#db
      .insertInto("practices")
      .values({ id: p.id, name: this.#codec.seal("practices.name", p.id, p.name), created_at: p.createdAt })
      .execute();
  }

  async getPractice(id: PracticeId) {
    const r = await this.#db.selectFrom("practices").selectAll().where("id", "=", id).executeTakeFirst();
    return (
      r && {
        id: r.id as PracticeId,
        name: this.#codec.open("practices.name", r.id, r.name),
        createdAt: r.created_at,
      }
    );
  }

  async countPractices() {
    const r = await this.#db
      .selectFrom("practices")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async createUser(u: UserRecord) {
    const c = this.#codec;
    await this.#db
      .insertInto("users")
      .values({
        id: u.id,
        practice_id: u.practiceId,
        role: u.role,
        login: c.seal("users.login", u.id, u.login),
        login_key: c.loginKey(u.login),
        display_name: c.seal("users.display_name", u.id, u.displayName),
        email: sealNullable(c, "users.email", u.id, u.email),
        password_hash: u.passwordHash,
        show_presence: u.showPresence ? 1 : 0,
        failed_logins: u.failedLogins,
        locked_until: u.lockedUntil,
        created_at: u.createdAt,
      })
      .execute();
  }

  async getUser(id: UserId) {
    const r = await this.#db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toUser(r, this.#codec);
  }

  async getUserByLogin(login: string) {
    const r = await this.#db
      .selectFrom("users")
      .selectAll()
      .where("login_key", "=", this.#codec.loginKey(login))
      .executeTakeFirst();
    return r && toUser(r, this.#codec);
  }

  async updateUser(id: UserId, patch: UserPatch) {
    const set: Partial<Database["users"]> = {};
    if (patch.displayName !== undefined) {
      set.display_name = this.#codec.seal("users.display_name", id, patch.displayName);
    }
    if (patch.showPresence !== undefined) set.show_presence = patch.showPresence ? 1 : 0;
    if (patch.failedLogins !== undefined) set.failed_logins = patch.failedLogins;
    if (patch.lockedUntil !== undefined) set.locked_until = patch.lockedUntil;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable("users").set(set).where("id", "=", id).execute();
  }

  async getLoginAttempt(key: string) {
    return loginAttemptQueries.get(this.#db, key);
  }

  async countLoginFailure(
    key: string,
    limits: { maxFailures: number; lockUntil: string; at: string; forgetBefore: string },
  ) {
    return inTransaction(this.#db, (db) =>
      loginAttemptQueries.countFailure(
        db,
        key,
        limits.maxFailures,
        limits.lockUntil,
        limits.at,
        limits.forgetBefore,
      ),
    );
  }

  async clearLoginFailures(key: string) {
    await loginAttemptQueries.clear(this.#db, key);
  }

  async createDevice(d: DeviceRecord) {
    await this.#db
      .insertInto("devices")
      .values({
        id: d.id,
        user_id: d.userId,
        name: this.#codec.seal("devices.name", d.id, d.name),
        token_hash: d.tokenHash,
        created_at: d.createdAt,
        last_seen_at: d.lastSeenAt,
        revoked_at: d.revokedAt,
      })
      .execute();
  }

  async getSessionByTokenHash(tokenHash: string) {
    const d = await this.#db
      .selectFrom("devices")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (!d) return undefined;
    const user = await this.getUser(d.user_id as UserId);
    return user && { device: toDevice(d, this.#codec), user };
  }

  async listDevices(userId: UserId) {
    const rows = await this.#db
      .selectFrom("devices")
      .selectAll()
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => toDevice(r, this.#codec));
  }

  async revokeDevice(userId: UserId, deviceId: DeviceId, at: string) {
    const r = await this.#db
      .updateTable("devices")
      .set({ revoked_at: at })
      .where("id", "=", deviceId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async renameDevice(userId: UserId, deviceId: DeviceId, name: string) {
    const r = await this.#db
      .updateTable("devices")
      .set({ name: this.#codec.seal("devices.name", deviceId, name) })
      .where("id", "=", deviceId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touchDevice(deviceId: DeviceId, at: string) {
    await this.#db.updateTable("devices").set({ last_seen_at: at }).where("id", "=", deviceId).execute();
  }

  async createInvite(i: InviteRecord) {
    await this.#db
      .insertInto("invites")
      .values({
        id: i.id,
        practice_id: i.practiceId,
        inviter_id: i.inviterId,
        role: i.role,
        token_hash: i.tokenHash,
        expires_at: i.expiresAt,
        used_at: i.usedAt,
        used_by: i.usedBy,
      })
      .execute();
  }

  async getInviteByTokenHash(tokenHash: string) {
    const r = await this.#db
      .selectFrom("invites")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return r && toInvite(r);
  }

  async consumeInvite(id: InviteId, usedBy: UserId, at: string) {
    const r = await this.#db
      .updateTable("invites")
      .set({ used_at: at, used_by: usedBy })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
