import type { UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type { AuditInput, AuditRecord, AuditStore } from "../../modules/audit/audit-store.ts";
import type { Database } from "../schema.ts";
import { type Db, inTransaction, type StorageDialect } from "./storage-dialect.ts";

const toAudit = (r: Selectable<Database["audit"]>): AuditRecord => ({
  seq: Number(r.seq),
  at: r.at,
  actorId: r.actor_id as UserId | null,
  action: r.action,
  subject: r.subject,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** The audit port over SQL (table `audit`); writers are serialised by {@link StorageDialect.lockAuditChain}. */
export class KyselyAuditStore implements AuditStore {
  readonly #db: Db;
  readonly #dialect: StorageDialect;

  constructor(db: Db, dialect: StorageDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async appendAudit(input: AuditInput, hash: (prevHash: string) => string) {
    return inTransaction(this.#db, async (db) => {
      await this.#dialect.lockAuditChain(db);
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
}
