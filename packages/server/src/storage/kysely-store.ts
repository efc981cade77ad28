import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { loginAttemptQueries } from "./login-attempt-queries.ts";
import { messageBlobQueries } from "./message-blob-queries.ts";
import type { SqlDialect } from "./migrations.ts";
import type { Database } from "./schema.ts";
import type {
  AppendRequest,
  AppendResult,
  AuditInput,
  AuditRecord,
  BlobRecord,
  ConversationRecord,
  ConversationView,
  DeviceRecord,
  EntryRecord,
  InviteRecord,
  MemberRecord,
  PracticeRecord,
  Store,
  UserRecord,
  WatermarkUpdate,
  WelcomeRecord,
} from "./store.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** Code-unit order: the same in every runtime, unlike `localeCompare`. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const toUser = (r: Selectable<Database["users"]>): UserRecord => ({
  id: r.id,
  practiceId: r.practice_id,
  role: r.role,
  login: r.login,
  displayName: r.display_name,
  email: r.email,
  passwordHash: r.password_hash,
  showPresence: Number(r.show_presence) === 1,
  failedLogins: Number(r.failed_logins),
  lockedUntil: r.locked_until,
  createdAt: r.created_at,
});

const toDevice = (r: Selectable<Database["devices"]>): DeviceRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

const toConversation = (r: Selectable<Database["conversations"]>): ConversationRecord => ({
  id: r.id,
  practiceId: r.practice_id,
  kind: r.kind,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastSeq: Number(r.last_seq),
  lastActivityAt: r.last_activity_at,
});

const toEntry = (r: Selectable<Database["entries"]>): EntryRecord => ({
  conversationId: r.conversation_id,
  seq: Number(r.seq),
  messageId: r.message_id,
  senderId: r.sender_id,
  senderDeviceId: r.sender_device_id,
  sentAt: r.sent_at,
  kind: r.kind,
  // Drivers hand back Buffer (a Uint8Array subclass); copy into a plain view for a stable type.
  body: r.body === null ? null : new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.byteLength),
  target: r.target,
  deleted: Number(r.deleted) === 1,
  epoch: r.epoch === null ? null : Number(r.epoch),
});

const bytesOf = (b: Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const toAudit = (r: Selectable<Database["audit"]>): AuditRecord => ({
  seq: Number(r.seq),
  at: r.at,
  actorId: r.actor_id,
  action: r.action,
  subject: r.subject,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** What an adapter adds to the shared query layer. */
export interface KyselyStoreHooks {
  /**
   * Runs after a committed append that deleted messages for everyone (once per batch), outside any
   * transaction: the SQLite adapter checkpoints and truncates its WAL there, so the erased
   * ciphertext leaves the disk at once.
   */
  afterErase?: () => Promise<void>;
}

/**
 * The one query layer over every SQL dialect (Kysely). Dialect differences live in the adapters
 * (`sqlite/sqlite-store.ts`, `postgres/postgres-store.ts`), which only open the connection and say
 * which dialect they are.
 */
export class KyselyStore implements Store {
  readonly #db: Db;
  readonly #dialect: SqlDialect;
  readonly #onClose: () => Promise<void>;
  readonly #hooks: KyselyStoreHooks;

  constructor(db: Db, dialect: SqlDialect, onClose: () => Promise<void>, hooks: KyselyStoreHooks = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#onClose = onClose;
    this.#hooks = hooks;
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this);
    return (this.#db as Kysely<Database>)
      .transaction()
      .execute((trx) => fn(new KyselyStore(trx, this.#dialect, this.#onClose, this.#hooks)));
  }

  async #tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this.#db);
    return (this.#db as Kysely<Database>).transaction().execute(fn);
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
      .values({ id: p.id, name: p.name, created_at: p.createdAt })
      .execute();
  }

  async getPractice(id: string) {
    const r = await this.#db.selectFrom("practices").selectAll().where("id", "=", id).executeTakeFirst();
    return r && { id: r.id, name: r.name, createdAt: r.created_at };
  }

  async countPractices() {
    const r = await this.#db
      .selectFrom("practices")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async createUser(u: UserRecord) {
    await this.#db
      .insertInto("users")
      .values({
        id: u.id,
        practice_id: u.practiceId,
        role: u.role,
        login: u.login,
        display_name: u.displayName,
        email: u.email,
        password_hash: u.passwordHash,
        show_presence: u.showPresence ? 1 : 0,
        failed_logins: u.failedLogins,
        locked_until: u.lockedUntil,
        created_at: u.createdAt,
      })
      .execute();
  }

  async getUser(id: string) {
    const r = await this.#db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toUser(r);
  }

  async getUserByLogin(login: string) {
    const r = await this.#db.selectFrom("users").selectAll().where("login", "=", login).executeTakeFirst();
    return r && toUser(r);
  }

  async updateUser(
    id: string,
    patch: Partial<Pick<UserRecord, "displayName" | "showPresence" | "failedLogins" | "lockedUntil">>,
  ) {
    const set: Partial<Database["users"]> = {};
    if (patch.displayName !== undefined) set.display_name = patch.displayName;
    if (patch.showPresence !== undefined) set.show_presence = patch.showPresence ? 1 : 0;
    if (patch.failedLogins !== undefined) set.failed_logins = patch.failedLogins;
    if (patch.lockedUntil !== undefined) set.locked_until = patch.lockedUntil;
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
    return this.#tx((db) =>
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
        name: d.name,
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
    const user = await this.getUser(d.user_id);
    return user && { device: toDevice(d), user };
  }

  async listDevices(userId: string) {
    const rows = await this.#db
      .selectFrom("devices")
      .selectAll()
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .orderBy("created_at")
      .execute();
    return rows.map(toDevice);
  }

  async revokeDevice(userId: string, deviceId: string, at: string) {
    const r = await this.#db
      .updateTable("devices")
      .set({ revoked_at: at })
      .where("id", "=", deviceId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async renameDevice(userId: string, deviceId: string, name: string) {
    const r = await this.#db
      .updateTable("devices")
      .set({ name })
      .where("id", "=", deviceId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touchDevice(deviceId: string, at: string) {
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
    return (
      r && {
        id: r.id,
        practiceId: r.practice_id,
        inviterId: r.inviter_id,
        role: r.role,
        tokenHash: r.token_hash,
        expiresAt: r.expires_at,
        usedAt: r.used_at,
        usedBy: r.used_by,
      }
    );
  }

  async consumeInvite(id: string, usedBy: string, at: string) {
    const r = await this.#db
      .updateTable("invites")
      .set({ used_at: at, used_by: usedBy })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("expires_at", ">", at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async createConversation(c: ConversationRecord, memberIds: string[]) {
    await this.#tx(async (db) => {
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

  async getConversation(id: string) {
    const r = await this.#db.selectFrom("conversations").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toConversation(r);
  }

  async isMember(conversationId: string, userId: string) {
    const r = await this.#db
      .selectFrom("members")
      .select("user_id")
      .where("conversation_id", "=", conversationId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return r !== undefined;
  }

  async listMembers(conversationId: string) {
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
        conversationId: r.conversation_id,
        userId: r.user_id,
        displayName: r.display_name,
        role: r.role,
        deliveredSeq: Number(r.delivered_seq),
        readSeq: Number(r.read_seq),
        sharedReadSeq: Number(r.shared_read_seq),
      }),
    );
  }

  async listMemberships(userId: string) {
    const rows = await this.#db
      .selectFrom("members")
      .innerJoin("conversations", "conversations.id", "members.conversation_id")
      .select(["conversations.id", "conversations.last_seq"])
      .where("members.user_id", "=", userId)
      .execute();
    return rows.map((r) => ({ conversationId: r.id, lastSeq: Number(r.last_seq) }));
  }

  async listConversationViews(userId: string) {
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
      views.push({
        ...toConversation(r),
        readSeq: Number(r.read_seq),
        unread: Number(r.unread ?? 0),
        members: await this.listMembers(r.id),
      });
    }
    return views;
  }

  async listContacts(userId: string) {
    const rows = await this.#db
      .selectFrom("members as mine")
      .innerJoin("members as other", "other.conversation_id", "mine.conversation_id")
      .select("other.user_id")
      .distinct()
      .where("mine.user_id", "=", userId)
      .where("other.user_id", "!=", userId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  async append(requests: AppendRequest[]): Promise<AppendResult[]> {
    if (requests.length === 0) return [];
    const results = await this.#appendAll(requests);
    // Once per batch (group commit), after it committed: let the adapter wipe what the deletes left.
    const erased = results.some((r) => r.ok && r.entry.kind === "delete" && !r.duplicate);
    if (erased && !this.#db.isTransaction) await this.#hooks.afterErase?.();
    return results;
  }

  #appendAll(requests: AppendRequest[]): Promise<AppendResult[]> {
    return this.#tx(async (db) => {
      if (this.#dialect === "postgres") {
        // Lock every conversation of the batch up front, in one statement and in id order. Under the
        // lock each check below sees every append committed before it, so a resend racing its
        // original is answered as a duplicate (instead of failing the whole batch on the unique
        // index), and two batches touching the same conversations in different orders cannot
        // deadlock. SQLite needs none of this: it admits one writer at a time.
        const ids = [...new Set(requests.map((r) => r.conversationId))];
        await db
          .selectFrom("conversations")
          .select("id")
          .where("id", "in", ids)
          .orderBy("id")
          .forUpdate()
          .execute();
      }
      const results: AppendResult[] = [];
      for (const req of requests) results.push(await this.#appendOne(db, req));
      return results;
    });
  }

  async #appendOne(db: Db, req: AppendRequest): Promise<AppendResult> {
    // The hot path (one message) is written as plain SQL: Kysely's query building costs more CPU
    // than running these statements (bench/messaging.ts profile). Same SQL on SQLite and PostgreSQL.
    const existing = (
      await sql<Selectable<Database["entries"]>>`select * from entries
        where conversation_id = ${req.conversationId} and message_id = ${req.messageId}`.execute(db)
    ).rows[0];
    if (existing) {
      // A resend of the same id by the same sender is the same message: answer with the original.
      if (existing.sender_id !== req.senderId || existing.kind !== req.kind) {
        return { ok: false, code: "message_conflict" };
      }
      return { ok: true, entry: toEntry(existing), duplicate: true };
    }
    if (req.kind === "delete") {
      const target = await db
        .selectFrom("entries")
        .select(["sender_id", "kind", "deleted"])
        .where("conversation_id", "=", req.conversationId)
        .where("message_id", "=", req.target ?? "")
        .executeTakeFirst();
      // Unknown, not a message, or already deleted (by another tombstone): nothing left to delete.
      if (target?.kind !== "message" || Number(target.deleted) === 1) return { ok: false, code: "not_found" };
      if (target.sender_id !== req.senderId) return { ok: false, code: "not_sender" };
    }
    const blobIds = req.kind === "message" ? (req.blobIds ?? []) : [];
    if (
      blobIds.length > 0 &&
      !(await messageBlobQueries.mayAttach(db, req.conversationId, req.senderId, blobIds))
    ) {
      return { ok: false, code: "not_found", path: "blobIds" };
    }
    const now = new Date().toISOString();
    if (req.kind === "commit") {
      // First valid commit for an epoch wins; any other epoch is stale. The row lock taken by the
      // UPDATE below (and, on PostgreSQL, by the batch's FOR UPDATE) makes check-and-advance atomic.
      const conv = await db
        .selectFrom("conversations")
        .select("epoch")
        .where("id", "=", req.conversationId)
        .executeTakeFirst();
      if (!conv) return { ok: false, code: "not_found" };
      if (Number(conv.epoch) !== req.epoch)
        return { ok: false, code: "stale_commit", epoch: Number(conv.epoch) };
    }
    const head =
      req.kind === "commit"
        ? await db
            .updateTable("conversations")
            .set((eb) => ({
              last_seq: eb("last_seq", "+", 1),
              last_activity_at: now,
              ...(req.kind === "commit"
                ? { epoch: (req.epoch ?? 0) + 1, group_info: req.groupInfo ?? null }
                : {}),
            }))
            .where("id", "=", req.conversationId)
            .returning("last_seq")
            .executeTakeFirst()
        : (
            await sql<{ last_seq: number }>`update conversations
              set last_seq = last_seq + 1, last_activity_at = ${now}
              where id = ${req.conversationId} returning last_seq`.execute(db)
          ).rows[0];
    if (!head) return { ok: false, code: "not_found" };
    const row = {
      conversation_id: req.conversationId,
      seq: Number(head.last_seq),
      message_id: req.messageId,
      sender_id: req.senderId,
      sender_device_id: req.senderDeviceId,
      sent_at: now,
      kind: req.kind,
      body: req.body,
      target: req.target,
      deleted: 0,
      epoch: req.kind === "commit" ? (req.epoch ?? 0) : null,
    };
    await sql`insert into entries
      (conversation_id, seq, message_id, sender_id, sender_device_id, sent_at, kind, body, target, deleted, epoch)
      values (${row.conversation_id}, ${row.seq}, ${row.message_id}, ${row.sender_id}, ${row.sender_device_id},
        ${row.sent_at}, ${row.kind}, ${row.body}, ${row.target}, ${row.deleted}, ${row.epoch})`.execute(db);
    if (req.kind === "commit" && req.welcomes && req.welcomes.length > 0) {
      await db
        .insertInto("welcomes")
        .values(
          req.welcomes.map((w) => ({
            device_id: w.deviceId,
            conversation_id: req.conversationId,
            seq: row.seq,
            data: w.body,
            created_at: now,
          })),
        )
        .execute();
    }
    if (blobIds.length > 0) await messageBlobQueries.attach(db, req.conversationId, req.messageId, blobIds);
    if (req.kind === "delete") {
      // The tombstone stays in the order; the deleted message's ciphertext is erased for good, and
      // so is the metadata of the blobs only it referred to.
      await db
        .updateTable("entries")
        .set({ body: null, deleted: 1 })
        .where("conversation_id", "=", req.conversationId)
        .where("message_id", "=", req.target ?? "")
        .execute();
      const erasedBlobIds = await messageBlobQueries.detach(db, req.conversationId, req.target ?? "");
      return { ok: true, entry: toEntry(row), duplicate: false, erasedBlobIds };
    }
    return { ok: true, entry: toEntry(row), duplicate: false };
  }

  async entriesAfter(conversationId: string, after: number, limit: number) {
    const rows = await this.#db
      .selectFrom("entries")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async updateWatermarks(updates: WatermarkUpdate[]) {
    if (updates.length === 0) return [];
    return this.#tx(async (db) => {
      // Update rows in one canonical order (a stable sort keeps repeated updates of one row in their
      // given order), so two concurrent batches on PostgreSQL take row locks in the same order and
      // cannot deadlock. The answer keeps the caller's order.
      const order = updates
        .map((u, i) => ({ u, i }))
        .sort(
          (a, b) =>
            cmp(a.u.conversationId, b.u.conversationId) ||
            cmp(a.u.userId, b.u.userId) ||
            cmp(a.u.kind, b.u.kind),
        );
      const moved: boolean[] = updates.map(() => false);
      for (const { u, i } of order) {
        const cols =
          u.kind === "delivered"
            ? ["delivered_seq"]
            : u.private
              ? ["read_seq"]
              : ["read_seq", "shared_read_seq"];
        for (const col of cols) {
          const r = await sql`update members set ${sql.ref(col)} = ${u.seq}
            where conversation_id = ${u.conversationId} and user_id = ${u.userId} and ${sql.ref(col)} < ${u.seq}`.execute(
            db,
          );
          // A shared read moved if either marker moved (after a private read, sharing catches up).
          if (Number(r.numAffectedRows) === 1) moved[i] = true;
        }
      }
      return updates.filter((_, i) => moved[i]);
    });
  }

  async appendAudit(input: AuditInput, hash: (prevHash: string) => string) {
    return this.#tx(async (db) => {
      if (this.#dialect === "postgres") {
        // Serialise writers so that two rows never chain to the same predecessor.
        await sql`select pg_advisory_xact_lock(7201)`.execute(db);
      }
      const last = await db
        .selectFrom("audit")
        .select("hash")
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      const prevHash = last?.hash ?? "0".repeat(64);
      const row = await db
        .insertInto("audit")
        .values({
          at: input.at,
          actor_id: input.actorId,
          action: input.action,
          subject: input.subject,
          prev_hash: prevHash,
          hash: hash(prevHash),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAudit(row);
    });
  }

  async listAudit(after: number, limit: number) {
    const rows = await this.#db
      .selectFrom("audit")
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map(toAudit);
  }

  async getIdentityKey(userId: string) {
    const r = await this.#db
      .selectFrom("users")
      .select("identity_key")
      .where("id", "=", userId)
      .executeTakeFirst();
    return r?.identity_key ?? null;
  }

  async setIdentityKey(userId: string, key: string) {
    await this.#db
      .updateTable("users")
      .set({ identity_key: key })
      .where("id", "=", userId)
      .where("identity_key", "is", null)
      .execute();
    return (await this.getIdentityKey(userId)) === key;
  }

  async addKeyPackages(deviceId: string, packages: Uint8Array[], lastResort: Uint8Array | null, at: string) {
    await this.#tx(async (db) => {
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

  async countKeyPackages(deviceId: string) {
    const r = await this.#db
      .selectFrom("key_packages")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("device_id", "=", deviceId)
      .where("last_resort", "=", 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async claimKeyPackage(deviceId: string) {
    return this.#tx(async (db) => {
      // One-time packages first (oldest first); the last resort only when none is left.
      let q = db
        .selectFrom("key_packages")
        .select(["id", "data", "last_resort"])
        .where("device_id", "=", deviceId)
        .orderBy("last_resort")
        .orderBy("id")
        .limit(1);
      if (this.#dialect === "postgres") q = q.forUpdate().skipLocked();
      const row = await q.executeTakeFirst();
      if (!row) return undefined;
      if (Number(row.last_resort) === 0)
        await db.deleteFrom("key_packages").where("id", "=", row.id).execute();
      return bytesOf(row.data);
    });
  }

  async listWelcomes(deviceId: string) {
    const rows = await this.#db
      .selectFrom("welcomes")
      .selectAll()
      .where("device_id", "=", deviceId)
      .orderBy("id")
      .execute();
    return rows.map(
      (r): WelcomeRecord => ({
        deviceId: r.device_id,
        conversationId: r.conversation_id,
        seq: Number(r.seq),
        body: bytesOf(r.data),
      }),
    );
  }

  async deleteWelcomes(deviceId: string, conversationId: string) {
    await this.#db
      .deleteFrom("welcomes")
      .where("device_id", "=", deviceId)
      .where("conversation_id", "=", conversationId)
      .execute();
  }

  async getGroupState(conversationId: string) {
    const r = await this.#db
      .selectFrom("conversations")
      .select(["epoch", "group_info"])
      .where("id", "=", conversationId)
      .executeTakeFirst();
    return r && { epoch: Number(r.epoch), groupInfo: r.group_info === null ? null : bytesOf(r.group_info) };
  }

  async getArchiveKey(userId: string) {
    const r = await this.#db
      .selectFrom("users")
      .select("archive_key")
      .where("id", "=", userId)
      .executeTakeFirst();
    return r?.archive_key ?? null;
  }

  async setArchiveKey(userId: string, record: string) {
    await this.#db.updateTable("users").set({ archive_key: record }).where("id", "=", userId).execute();
  }

  async createTransfer(t: { id: string; userId: string; createdAt: string; expiresAt: string }) {
    await this.#db
      .insertInto("transfers")
      .values({ id: t.id, user_id: t.userId, body: null, created_at: t.createdAt, expires_at: t.expiresAt })
      .execute();
  }

  async getTransfer(id: string, userId: string, at: string) {
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
        userId: r.user_id,
        body: r.body === null ? null : bytesOf(r.body),
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      }
    );
  }

  async putTransfer(id: string, userId: string, body: Uint8Array, at: string) {
    return this.#tx(async (db): Promise<"ok" | "not_found" | "full"> => {
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

  async deleteTransfer(id: string, userId: string, at: string) {
    const own = await this.#db
      .deleteFrom("transfers")
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    await this.#db.deleteFrom("transfers").where("expires_at", "<=", at).execute();
    return own.numDeletedRows > 0n;
  }

  async createBlob(b: BlobRecord) {
    await this.#db
      .insertInto("blobs")
      .values({
        id: b.id,
        conversation_id: b.conversationId,
        uploader_id: b.uploaderId,
        uploader_device_id: b.uploaderDeviceId,
        size: b.size,
        created_at: b.createdAt,
      })
      .execute();
  }

  async storedBlobBytes(userId: string) {
    const r = await this.#db
      .selectFrom("blobs")
      .select((eb) => eb.fn.sum<number | string | bigint | null>("size").as("bytes"))
      .where("uploader_id", "=", userId)
      .executeTakeFirst();
    // SUM is NULL over no rows; PostgreSQL hands back a numeric sum as a string.
    return Number(r?.bytes ?? 0);
  }

  async getBlob(id: string) {
    const r = await this.#db.selectFrom("blobs").selectAll().where("id", "=", id).executeTakeFirst();
    return (
      r && {
        id: r.id,
        conversationId: r.conversation_id,
        uploaderId: r.uploader_id,
        uploaderDeviceId: r.uploader_device_id,
        // PostgreSQL hands back bigint as a string.
        size: Number(r.size),
        createdAt: r.created_at,
      }
    );
  }

  async close() {
    await this.#onClose();
  }
}
