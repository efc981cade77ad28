import type { ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";
import type { Kysely, Selectable } from "kysely";
import type {
  AppendRequest,
  AppendResult,
  DeliveryStore,
  EntryRecord,
  WatermarkUpdate,
  WelcomeRecord,
} from "../../modules/delivery/delivery-store.ts";
import type { Database } from "../schema.ts";
import { HotStatement } from "./hot-statement.ts";
import { messageBlobQueries } from "./message-blob-queries.ts";
import { bytesOf, type Db, inTransaction, type StorageDialect } from "./storage-dialect.ts";
import type { SyncBatch, SyncStatements } from "./sync-batch.ts";

/** Code-unit order: the same in every runtime, unlike `localeCompare`. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const toEntry = (r: Selectable<Database["entries"]>): EntryRecord => ({
  conversationId: r.conversation_id as ConversationId,
  seq: Number(r.seq),
  messageId: r.message_id as MessageId,
  senderId: r.sender_id as UserId,
  senderDeviceId: r.sender_device_id as DeviceId,
  sentAt: r.sent_at,
  kind: r.kind,
  body: r.body === null ? null : bytesOf(r.body),
  target: r.target as MessageId | null,
  deleted: Number(r.deleted) === 1,
  epoch: r.epoch === null ? null : Number(r.epoch),
});

// The hot path of every message and receipt, compiled once (see HotStatement). Same SQL on SQLite
// and PostgreSQL.
const selectEntry = new HotStatement<Selectable<Database["entries"]>>(
  "select * from entries where conversation_id = ? and message_id = ?",
);
const bumpHead = new HotStatement<{ last_seq: number }>(
  "update conversations set last_seq = last_seq + 1, last_activity_at = ? where id = ? returning last_seq",
);
const insertEntry = new HotStatement<never>(`insert into entries
  (conversation_id, seq, message_id, sender_id, sender_device_id, sent_at, kind, body, target, deleted, epoch)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const DELIVERED = ["delivered_seq"] as const;
const PRIVATE_READ = ["read_seq"] as const;
const SHARED_READ = ["read_seq", "shared_read_seq"] as const;
/** Moves one watermark column forward (never back); one statement per column. */
const raiseWatermark = Object.fromEntries(
  (["delivered_seq", "read_seq", "shared_read_seq"] as const).map((col) => [
    col,
    new HotStatement<never>(
      `update members set ${col} = ? where conversation_id = ? and user_id = ? and ${col} < ?`,
    ),
  ]),
) as Record<"delivered_seq" | "read_seq" | "shared_read_seq", HotStatement<never>>;

type EntryRow = Selectable<Database["entries"]>;

/** A stored entry with the same message id: the same message resent, or a conflicting id. */
function resent(existing: EntryRow, req: AppendRequest): AppendResult {
  // A resend of the same id by the same sender is the same message: answer with the original.
  if (existing.sender_id !== req.senderId || existing.kind !== req.kind) {
    return { ok: false, code: "message_conflict" };
  }
  return { ok: true, entry: toEntry(existing), duplicate: true };
}

/** The row a new entry is stored as, at `seq`. */
function newRow(req: AppendRequest, seq: number, now: string): EntryRow {
  return {
    conversation_id: req.conversationId,
    seq,
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
}

/** {@link insertEntry}'s parameters, in its column order. */
const insertParameters = (row: EntryRow) => [
  row.conversation_id,
  row.seq,
  row.message_id,
  row.sender_id,
  row.sender_device_id,
  row.sent_at,
  row.kind,
  row.body,
  row.target,
  row.deleted,
  row.epoch,
];

/** Which watermark columns a receipt raises. */
const columnsOf = (u: WatermarkUpdate) =>
  u.kind === "delivered" ? DELIVERED : u.private ? PRIVATE_READ : SHARED_READ;

/**
 * Updates rows in one canonical order (a stable sort keeps repeated updates of one row in their
 * given order), so two concurrent batches take row locks in the same order and cannot deadlock.
 */
const canonicalOrder = (updates: WatermarkUpdate[]) =>
  updates
    .map((u, i) => ({ u, i }))
    .sort(
      (a, b) =>
        cmp(a.u.conversationId, b.u.conversationId) || cmp(a.u.userId, b.u.userId) || cmp(a.u.kind, b.u.kind),
    );

/** A plain message (no attachments): the only kind the synchronous batch stores. */
const plainMessage = (r: AppendRequest) => r.kind === "message" && !(r.blobIds && r.blobIds.length > 0);

/**
 * The delivery port over SQL (tables `entries`, `welcomes`, `message_blobs`; appends move
 * `conversations`' log head and MLS epoch; watermarks live on `members`). Locking differs by
 * database: see {@link StorageDialect.lockConversations}; so does wiping deleted content from disk
 * ({@link StorageDialect.afterErase}).
 */
export class KyselyDeliveryStore implements DeliveryStore {
  readonly #db: Db;
  readonly #dialect: StorageDialect;
  readonly #sync: SyncBatch | undefined;

  /** `sync`: where the database offers it, the hot batches run as synchronous transactions. */
  constructor(db: Db, dialect: StorageDialect, sync?: SyncBatch) {
    this.#db = db;
    this.#dialect = dialect;
    this.#sync = db.isTransaction ? undefined : sync;
  }

  async append(requests: AppendRequest[]): Promise<AppendResult[]> {
    if (requests.length === 0) return [];
    // The common batch, plain messages only: one synchronous transaction (see SyncBatch).
    if (this.#sync && requests.every(plainMessage)) {
      const now = new Date().toISOString();
      return this.#sync((s) => requests.map((r) => appendMessageSync(s, r, now)));
    }
    const results = await this.#appendAll(requests);
    // Once per batch (group commit), after it committed: let the dialect wipe what the deletes left.
    const erased = results.some((r) => r.ok && r.entry.kind === "delete" && !r.duplicate);
    if (erased && !this.#db.isTransaction) await this.#dialect.afterErase(this.#db as Kysely<Database>);
    return results;
  }

  async #appendAll(requests: AppendRequest[]): Promise<AppendResult[]> {
    if (!this.#dialect.concurrentWriters || this.#db.isTransaction) return this.#appendTogether(requests);
    // Many writers (PostgreSQL, several nodes): one short transaction per conversation, side by side
    // on the pool. One transaction for the whole batch would hold every one of its conversations'
    // locks while its statements go back and forth, and each other node's batch touching any of
    // them would wait for all of it: the nodes would take turns.
    const byConversation = new Map<string, number[]>();
    for (const [i, r] of requests.entries()) {
      const at = byConversation.get(r.conversationId);
      if (at) at.push(i);
      else byConversation.set(r.conversationId, [i]);
    }
    if (byConversation.size === 1) return this.#appendTogether(requests);
    const results = new Array<AppendResult>(requests.length);
    await Promise.all(
      [...byConversation.values()].map(async (indexes) => {
        const done = await this.#appendTogether(indexes.map((i) => requests[i]!));
        for (const [k, i] of indexes.entries()) results[i] = done[k]!;
      }),
    );
    return results;
  }

  /** Appends the requests in one transaction, their conversations locked up front. */
  #appendTogether(requests: AppendRequest[]): Promise<AppendResult[]> {
    return inTransaction(this.#db, async (db) => {
      // Lock every conversation of the batch up front (where the database has concurrent writers).
      await this.#dialect.lockConversations(db, [...new Set(requests.map((r) => r.conversationId))]);
      const results: AppendResult[] = [];
      for (const req of requests) results.push(await this.#appendOne(db, req));
      return results;
    });
  }

  async #appendOne(db: Db, req: AppendRequest): Promise<AppendResult> {
    // The hot path (one message) is written as plain SQL: Kysely's query building costs more CPU
    // than running these statements (bench/messaging.ts profile). Same SQL on SQLite and PostgreSQL.
    const existing = (await selectEntry.run(db, [req.conversationId, req.messageId])).rows[0];
    if (existing) return resent(existing, req);
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
      // UPDATE below (and by the batch's conversation lock) makes check-and-advance atomic.
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
              epoch: (req.epoch ?? 0) + 1,
              group_info: req.groupInfo ?? null,
            }))
            .where("id", "=", req.conversationId)
            .returning("last_seq")
            .executeTakeFirst()
        : (await bumpHead.run(db, [now, req.conversationId])).rows[0];
    if (!head) return { ok: false, code: "not_found" };
    const row = newRow(req, Number(head.last_seq), now);
    await insertEntry.run(db, insertParameters(row));
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

  async entriesAfter(conversationId: ConversationId, after: number, limit: number) {
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
    // The answer keeps the caller's order. A shared read moved if either marker moved (after a
    // private read, sharing catches up).
    const moved: boolean[] = updates.map(() => false);
    if (this.#sync) {
      return this.#sync((s) => {
        for (const { u, i } of canonicalOrder(updates)) {
          for (const col of columnsOf(u)) {
            if (s.run(raiseWatermark[col].text, [u.seq, u.conversationId, u.userId, u.seq]) === 1)
              moved[i] = true;
          }
        }
        return updates.filter((_, i) => moved[i]);
      });
    }
    return inTransaction(this.#db, async (db) => {
      for (const { u, i } of canonicalOrder(updates)) {
        for (const col of columnsOf(u)) {
          const r = await raiseWatermark[col].run(db, [u.seq, u.conversationId, u.userId, u.seq]);
          if (Number(r.numAffectedRows) === 1) moved[i] = true;
        }
      }
      return updates.filter((_, i) => moved[i]);
    });
  }

  async listWelcomes(deviceId: DeviceId) {
    const rows = await this.#db
      .selectFrom("welcomes")
      .selectAll()
      .where("device_id", "=", deviceId)
      .orderBy("id")
      .execute();
    return rows.map(
      (r): WelcomeRecord => ({
        deviceId: r.device_id as DeviceId,
        conversationId: r.conversation_id as ConversationId,
        seq: Number(r.seq),
        body: bytesOf(r.data),
      }),
    );
  }

  async deleteWelcomes(deviceId: DeviceId, conversationId: ConversationId) {
    await this.#db
      .deleteFrom("welcomes")
      .where("device_id", "=", deviceId)
      .where("conversation_id", "=", conversationId)
      .execute();
  }
}

/** One plain message of a synchronous batch: the same statements as `#appendOne`, run at once. */
function appendMessageSync(s: SyncStatements, req: AppendRequest, now: string): AppendResult {
  const existing = s.all<EntryRow>(selectEntry.text, [req.conversationId, req.messageId])[0];
  if (existing) return resent(existing, req);
  const head = s.all<{ last_seq: number }>(bumpHead.text, [now, req.conversationId])[0];
  if (!head) return { ok: false, code: "not_found" };
  const row = newRow(req, Number(head.last_seq), now);
  s.run(insertEntry.text, insertParameters(row));
  return { ok: true, entry: toEntry(row), duplicate: false };
}
