import type { Kysely } from "kysely";
import type { JobRecord, JobStats, NewJob, ScheduleStore } from "../../modules/schedule/schedule-store.ts";
import type { Database } from "../schema.ts";
import type { Db, StorageDialect } from "./storage-dialect.ts";

type JobRow = Database["jobs"];

const toRecord = (r: JobRow): JobRecord => ({
  id: r.id,
  kind: r.kind,
  payload: r.payload,
  runAt: r.run_at,
  dedupeKey: r.dedupe_key,
  status: r.status,
  attempts: Number(r.attempts),
  lastError: r.last_error,
});

/** The schedule port over SQL (table `jobs`). Times are ISO-8601 strings, which sort as they compare. */
export class KyselyScheduleStore implements ScheduleStore {
  readonly #db: Db;
  readonly #dialect: StorageDialect;

  constructor(db: Db, dialect: StorageDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async enqueueJob(job: NewJob): Promise<{ id: string; runAt: string; created: boolean }> {
    const inserted = await this.#db
      .insertInto("jobs")
      .values({
        id: job.id,
        kind: job.kind,
        payload: job.payload,
        run_at: job.runAt,
        dedupe_key: job.dedupeKey,
        status: "pending",
        attempts: 0,
        created_at: job.createdAt,
        updated_at: job.createdAt,
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning(["id", "run_at"])
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, runAt: inserted.run_at, created: true };
    const existing = await this.#db
      .selectFrom("jobs")
      .select(["id", "run_at"])
      .where("dedupe_key", "=", job.dedupeKey)
      .executeTakeFirst();
    // The holder was completed between the two statements: try once more.
    if (!existing) return this.enqueueJob(job);
    return { id: existing.id, runAt: existing.run_at, created: false };
  }

  async claimDue(now: string, owner: string, leaseUntil: string, limit: number) {
    const run = async (db: Db) => {
      const due = await this.#dialect
        .claimRow(
          db
            .selectFrom("jobs")
            .select("id")
            .where("status", "=", "pending")
            .where("run_at", "<=", now)
            .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
            .orderBy("run_at")
            .limit(limit),
        )
        .execute();
      if (due.length === 0) return [];
      const rows = await db
        .updateTable("jobs")
        .set((eb) => ({
          lease_owner: owner,
          lease_until: leaseUntil,
          attempts: eb("attempts", "+", 1),
          updated_at: now,
        }))
        .where(
          "id",
          "in",
          due.map((d) => d.id),
        )
        // Guarded again: without row locks (SQLite serialises writers anyway) the update is the claim.
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
        .returningAll()
        .execute();
      return rows.map(toRecord).sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
    };
    if (this.#db.isTransaction) return run(this.#db);
    return (this.#db as Kysely<Database>).transaction().execute(run);
  }

  async completeJob(id: string, owner: string) {
    const r = await this.#db
      .deleteFrom("jobs")
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async retryJob(id: string, owner: string, runAt: string, lastError: string | null, countAttempt: boolean) {
    const r = await this.#db
      .updateTable("jobs")
      .set((eb) => ({
        run_at: runAt,
        lease_owner: null,
        lease_until: null,
        last_error: lastError,
        updated_at: runAt,
        ...(countAttempt ? {} : { attempts: eb("attempts", "-", 1) }),
      }))
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async failJob(id: string, owner: string, lastError: string, at: string) {
    const r = await this.#db
      .updateTable("jobs")
      .set({
        status: "failed",
        dedupe_key: null,
        lease_owner: null,
        lease_until: null,
        last_error: lastError,
        updated_at: at,
      })
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async cancelJob(dedupeKey: string, now: string) {
    const r = await this.#db
      .deleteFrom("jobs")
      .where("dedupe_key", "=", dedupeKey)
      .where("status", "=", "pending")
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async nextDueAt() {
    // When the next job can be claimed: its due time, or its lease's expiry while a node holds it.
    const r = await this.#db
      .selectFrom("jobs")
      .select((eb) =>
        eb.fn
          .min<string | null>(
            eb
              .case()
              .when(eb.and([eb("lease_until", "is not", null), eb("lease_until", ">", eb.ref("run_at"))]))
              .then(eb.ref("lease_until"))
              .else(eb.ref("run_at"))
              .end(),
          )
          .as("next"),
      )
      .where("status", "=", "pending")
      .executeTakeFirst();
    return r?.next ?? undefined;
  }

  async jobStats(now: string, failureLimit: number): Promise<JobStats> {
    const byKind = await this.#db
      .selectFrom("jobs")
      .select((eb) => ["kind", "status", eb.fn.countAll<number | string>().as("n")])
      .groupBy(["kind", "status"])
      .execute();
    const pending: Record<string, number> = {};
    const failed: Record<string, number> = {};
    for (const r of byKind) (r.status === "failed" ? failed : pending)[r.kind] = Number(r.n);
    const counts = await this.#db
      .selectFrom("jobs")
      .select((eb) => [
        eb.fn
          .count<number | string>("id")
          .filterWhere((w) => w.and([w("status", "=", "pending"), w("run_at", "<=", now)]))
          .as("due"),
        eb.fn
          .count<number | string>("id")
          .filterWhere((w) => w.and([w("status", "=", "pending"), w("lease_until", ">=", now)]))
          .as("running"),
      ])
      .executeTakeFirstOrThrow();
    const failures = await this.#db
      .selectFrom("jobs")
      .select(["id", "kind", "attempts", "last_error", "updated_at"])
      .where("status", "=", "failed")
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(failureLimit)
      .execute();
    return {
      pending,
      due: Number(counts.due),
      running: Number(counts.running),
      failed,
      failures: failures.map((f) => ({
        id: f.id,
        kind: f.kind,
        attempts: Number(f.attempts),
        lastError: f.last_error,
        at: f.updated_at,
      })),
      nextDueAt: (await this.nextDueAt()) ?? null,
    };
  }
}
