import type { CheckinPlanId, ConversationId, UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type { CheckinPlanRecord, CheckinStore } from "../../modules/checkins/checkin-store.ts";
import type { Database } from "../schema.ts";
import type { Db } from "./storage-dialect.ts";

type Row = Selectable<Database["checkin_plans"]>;

const toRecord = (r: Row): CheckinPlanRecord => ({
  id: r.id as CheckinPlanId,
  conversationId: r.conversation_id as ConversationId,
  patientId: r.patient_id as UserId,
  createdBy: r.created_by as UserId,
  timeZone: r.time_zone,
  time: r.local_time,
  ...(r.days ? { days: r.days.split(",").map(Number) } : {}),
  createdAt: r.created_at,
});

/** The check-ins port over SQL (tables `checkin_plans`, `checkin_reminders`). */
export class KyselyCheckinStore implements CheckinStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async createPlan(p: CheckinPlanRecord) {
    await this.#db
      .insertInto("checkin_plans")
      .values({
        id: p.id,
        conversation_id: p.conversationId,
        patient_id: p.patientId,
        created_by: p.createdBy,
        time_zone: p.timeZone,
        local_time: p.time,
        days: p.days ? p.days.join(",") : null,
        created_at: p.createdAt,
      })
      .execute();
  }

  async getPlan(id: CheckinPlanId) {
    const r = await this.#db.selectFrom("checkin_plans").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toRecord(r);
  }

  async listPlansForConversation(conversationId: ConversationId) {
    const rows = await this.#db
      .selectFrom("checkin_plans")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toRecord);
  }

  async listPlansForPatient(patientId: UserId) {
    const rows = await this.#db
      .selectFrom("checkin_plans")
      .selectAll()
      .where("patient_id", "=", patientId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toRecord);
  }

  async deletePlan(id: CheckinPlanId) {
    // The reminders first: they refer to the plan.
    await this.#db.deleteFrom("checkin_reminders").where("plan_id", "=", id).execute();
    const r = await this.#db.deleteFrom("checkin_plans").where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async claimReminder(planId: CheckinPlanId, dueAt: string, at: string) {
    const r = await this.#db
      .insertInto("checkin_reminders")
      .values({ plan_id: planId, due_at: dueAt, sent_at: at })
      .onConflict((oc) => oc.columns(["plan_id", "due_at"]).doNothing())
      .returning("plan_id")
      .executeTakeFirst();
    return r !== undefined;
  }
}
