import type { InviteId, PracticeId, Role, SignInLinkId, UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type {
  AccountRow,
  AdminStore,
  AuditFilter,
  PendingInviteRow,
  PendingSignInLinkRow,
  SignInLinkRecord,
} from "../../modules/admin/admin-store.ts";
import type { FieldCodec } from "../at-rest/field-codec.ts";
import type { Database } from "../schema.ts";
import type { Db } from "./storage-dialect.ts";

const ROLE_ORDER: Record<Role, number> = { admin: 0, therapist: 1, patient: 2 };

const toLink = (r: Selectable<Database["sign_in_links"]>): SignInLinkRecord => ({
  id: r.id as SignInLinkId,
  practiceId: r.practice_id as PracticeId,
  userId: r.user_id as UserId,
  issuerId: r.issuer_id as UserId,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  revokedAt: r.revoked_at,
});

/**
 * The admin port over SQL: owns `sign_in_links`; writes `users.deactivated_at`, `users.password_hash`
 * and `invites.revoked_at`; reads `users`, `devices`, `invites` and `audit` for the console. Names
 * and logins are opened through `codec` (encrypted at rest when that is on).
 */
export class KyselyAdminStore implements AdminStore {
  readonly #db: Db;
  readonly #codec: FieldCodec;

  constructor(db: Db, codec: FieldCodec) {
    this.#db = db;
    this.#codec = codec;
  }

  #name(userId: string, stored: string) {
    return this.#codec.open("users.display_name", userId, stored);
  }

  #accounts(practiceId: PracticeId) {
    return this.#db
      .selectFrom("users")
      .select((eb) => [
        "users.id",
        "users.practice_id",
        "users.display_name",
        "users.login",
        "users.role",
        "users.created_at",
        "users.deactivated_at",
        eb
          .selectFrom("devices")
          .select((d) => d.fn.max("devices.last_seen_at").as("m"))
          .whereRef("devices.user_id", "=", "users.id")
          .as("last_active_at"),
        eb
          .selectFrom("devices")
          .select((d) => d.fn.countAll().as("n"))
          .whereRef("devices.user_id", "=", "users.id")
          .where("devices.revoked_at", "is", null)
          .as("devices"),
      ])
      .where("users.practice_id", "=", practiceId);
  }

  async listAccounts(practiceId: PracticeId, role?: Role) {
    let q = this.#accounts(practiceId);
    if (role) q = q.where("users.role", "=", role);
    const rows = (await q.execute()).map((r) => toAccount(r, this.#codec));
    // Sorted here, not in SQL: the databases collate names differently.
    return rows.sort(
      (a, b) =>
        ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
        a.displayName.localeCompare(b.displayName) ||
        a.userId.localeCompare(b.userId),
    );
  }

  async getAccount(practiceId: PracticeId, userId: UserId) {
    const r = await this.#accounts(practiceId).where("users.id", "=", userId).executeTakeFirst();
    return r && toAccount(r, this.#codec);
  }

  async setDeactivated(userId: UserId, at: string | null) {
    const r = await this.#db
      .updateTable("users")
      .set({ deactivated_at: at })
      .where("id", "=", userId)
      .where("deactivated_at", at === null ? "is not" : "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setPasswordHash(userId: UserId, passwordHash: string) {
    await this.#db
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("id", "=", userId)
      .execute();
  }

  async listPendingInvites(practiceId: PracticeId, now: string) {
    const rows = await this.#db
      .selectFrom("invites")
      .innerJoin("users", "users.id", "invites.inviter_id")
      .select([
        "invites.id",
        "invites.role",
        "invites.inviter_id",
        "invites.expires_at",
        "users.display_name",
      ])
      .where("invites.practice_id", "=", practiceId)
      .where("invites.used_at", "is", null)
      .where("invites.revoked_at", "is", null)
      .where("invites.expires_at", ">", now)
      .orderBy("invites.expires_at")
      .orderBy("invites.id")
      .execute();
    return rows.map(
      (r): PendingInviteRow => ({
        inviteId: r.id as InviteId,
        role: r.role,
        inviterId: r.inviter_id as UserId,
        inviterName: this.#name(r.inviter_id, r.display_name),
        expiresAt: r.expires_at,
      }),
    );
  }

  async revokeInvite(practiceId: PracticeId, inviteId: InviteId, at: string) {
    const r = await this.#db
      .updateTable("invites")
      .set({ revoked_at: at })
      .where("id", "=", inviteId)
      .where("practice_id", "=", practiceId)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async createSignInLink(l: SignInLinkRecord) {
    await this.#db
      .insertInto("sign_in_links")
      .values({
        id: l.id,
        practice_id: l.practiceId,
        user_id: l.userId,
        issuer_id: l.issuerId,
        token_hash: l.tokenHash,
        created_at: l.createdAt,
        expires_at: l.expiresAt,
        used_at: l.usedAt,
        revoked_at: l.revokedAt,
      })
      .execute();
  }

  async getSignInLink(id: SignInLinkId) {
    const r = await this.#db.selectFrom("sign_in_links").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toLink(r);
  }

  async getSignInLinkByTokenHash(tokenHash: string) {
    const r = await this.#db
      .selectFrom("sign_in_links")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return r && toLink(r);
  }

  async useSignInLink(id: SignInLinkId, at: string) {
    const r = await this.#db
      .updateTable("sign_in_links")
      .set({ used_at: at })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeSignInLink(id: SignInLinkId, at: string) {
    const r = await this.#db
      .updateTable("sign_in_links")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listPendingSignInLinks(practiceId: PracticeId, now: string) {
    const rows = await this.#db
      .selectFrom("sign_in_links as l")
      .innerJoin("users as u", "u.id", "l.user_id")
      .innerJoin("users as i", "i.id", "l.issuer_id")
      .select([
        "l.id",
        "l.user_id",
        "l.issuer_id",
        "l.created_at",
        "l.expires_at",
        "u.display_name as user_name",
        "i.display_name as issuer_name",
      ])
      .where("l.practice_id", "=", practiceId)
      .where("l.used_at", "is", null)
      .where("l.revoked_at", "is", null)
      .where("l.expires_at", ">", now)
      .orderBy("l.expires_at")
      .orderBy("l.id")
      .execute();
    return rows.map(
      (r): PendingSignInLinkRow => ({
        linkId: r.id as SignInLinkId,
        userId: r.user_id as UserId,
        userName: this.#name(r.user_id, r.user_name),
        issuerId: r.issuer_id as UserId,
        issuerName: this.#name(r.issuer_id, r.issuer_name),
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      }),
    );
  }

  async listAuditFiltered(f: AuditFilter) {
    let q = this.#db
      .selectFrom("audit")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb("actor_id", "is", null),
          eb("actor_id", "in", eb.selectFrom("users").select("id").where("practice_id", "=", f.practiceId)),
        ]),
      );
    if (f.action !== undefined) q = q.where("action", "=", f.action);
    if (f.actorId !== undefined) q = q.where("actor_id", "=", f.actorId);
    if (f.from !== undefined) q = q.where("at", ">=", f.from);
    if (f.to !== undefined) q = q.where("at", "<", f.to);
    if (f.before !== undefined) q = q.where("seq", "<", f.before);
    const rows = await q.orderBy("seq", "desc").limit(f.limit).execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actorId: r.actor_id as UserId | null,
      action: r.action,
      subject: r.subject,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  async namesOf(practiceId: PracticeId, ids: readonly string[]) {
    const names = new Map<string, string>();
    const wanted = [...new Set(ids)].filter((id) => id.startsWith("usr_"));
    if (wanted.length === 0) return names;
    const rows = await this.#db
      .selectFrom("users")
      .select(["id", "display_name"])
      .where("practice_id", "=", practiceId)
      .where("id", "in", wanted)
      .execute();
    for (const r of rows) names.set(r.id, this.#name(r.id, r.display_name));
    return names;
  }
}

function toAccount(
  r: {
    id: string;
    practice_id: string;
    display_name: string;
    login: string;
    role: Role;
    created_at: string;
    deactivated_at: string | null;
    last_active_at: string | null;
    devices: string | number | bigint | null;
  },
  codec: FieldCodec,
): AccountRow {
  return {
    userId: r.id as UserId,
    practiceId: r.practice_id as PracticeId,
    displayName: codec.open("users.display_name", r.id, r.display_name),
    login: codec.open("users.login", r.id, r.login),
    role: r.role,
    createdAt: r.created_at,
    lastActiveAt: r.last_active_at,
    devices: Number(r.devices ?? 0),
    deactivatedAt: r.deactivated_at,
  };
}
