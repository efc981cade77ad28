import type { AppointmentId, AppointmentSettings, ConversationId, UserId } from "@hearth/protocol";
import type { Selectable } from "kysely";
import type {
  AppointmentRecord,
  AppointmentStore,
  StoredAppointmentSettings,
} from "../../modules/appointments/appointment-store.ts";
import type { Database } from "../schema.ts";
import type { Db } from "./storage-dialect.ts";

type Row = Selectable<Database["appointments"]>;

const toRecord = (r: Row): AppointmentRecord => ({
  id: r.id as AppointmentId,
  conversationId: r.conversation_id as ConversationId,
  organizerId: r.organizer_id as UserId,
  localStart: r.local_start,
  timeZone: r.time_zone,
  durationMinutes: Number(r.duration_minutes),
  recurrence: r.recurrence,
  status: r.status,
  firstStartAt: r.first_start_at,
  lastEndAt: r.last_end_at,
  rescheduleBy: r.reschedule_by as UserId | null,
  rescheduleAt: r.reschedule_at,
  revision: Number(r.revision),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const settingsColumns = (s: AppointmentSettings) => ({
  reminder_minutes: JSON.stringify(s.reminderMinutes),
  push: s.push ? 1 : 0,
  email: s.email ? 1 : 0,
  show_time: s.showTime ? 1 : 0,
  feed_names: s.feedNames ? 1 : 0,
});

/** The appointments port over SQL (tables `appointments`, `appointment_settings`, `appointment_reminders`). */
export class KyselyAppointmentStore implements AppointmentStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async createAppointment(a: AppointmentRecord) {
    await this.#db
      .insertInto("appointments")
      .values({
        id: a.id,
        conversation_id: a.conversationId,
        organizer_id: a.organizerId,
        local_start: a.localStart,
        time_zone: a.timeZone,
        duration_minutes: a.durationMinutes,
        recurrence: a.recurrence,
        status: a.status,
        first_start_at: a.firstStartAt,
        last_end_at: a.lastEndAt,
        reschedule_by: a.rescheduleBy,
        reschedule_at: a.rescheduleAt,
        revision: a.revision,
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      })
      .execute();
  }

  async getAppointment(id: AppointmentId) {
    const r = await this.#db.selectFrom("appointments").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toRecord(r);
  }

  async updateAppointment(a: AppointmentRecord, expectedRevision: number) {
    const r = await this.#db
      .updateTable("appointments")
      .set({
        local_start: a.localStart,
        time_zone: a.timeZone,
        duration_minutes: a.durationMinutes,
        recurrence: a.recurrence,
        status: a.status,
        first_start_at: a.firstStartAt,
        last_end_at: a.lastEndAt,
        reschedule_by: a.rescheduleBy,
        reschedule_at: a.rescheduleAt,
        revision: a.revision,
        updated_at: a.updatedAt,
      })
      .where("id", "=", a.id)
      .where("revision", "=", expectedRevision)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async listForConversation(conversationId: ConversationId, endAfter: string) {
    const rows = await this.#db
      .selectFrom("appointments")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .where((eb) => eb.or([eb("last_end_at", "is", null), eb("last_end_at", ">=", endAfter)]))
      .orderBy("first_start_at")
      .execute();
    return rows.map(toRecord);
  }

  async listForUser(userId: UserId, endAfter: string) {
    const rows = await this.#db
      .selectFrom("appointments as a")
      .innerJoin("members as m", "m.conversation_id", "a.conversation_id")
      .selectAll("a")
      .where("m.user_id", "=", userId)
      .where((eb) => eb.or([eb("a.last_end_at", "is", null), eb("a.last_end_at", ">=", endAfter)]))
      .orderBy("a.first_start_at")
      .execute();
    return rows.map(toRecord);
  }

  async getSettings(userId: UserId): Promise<StoredAppointmentSettings | undefined> {
    const r = await this.#db
      .selectFrom("appointment_settings")
      .selectAll()
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      reminderMinutes: JSON.parse(r.reminder_minutes) as number[],
      push: Number(r.push) === 1,
      email: Number(r.email) === 1,
      showTime: Number(r.show_time) === 1,
      feedNames: Number(r.feed_names) === 1,
      feedActive: r.feed_token_hash !== null,
    };
  }

  async putSettings(userId: UserId, s: AppointmentSettings, at: string) {
    const values = { ...settingsColumns(s), updated_at: at };
    await this.#db
      .insertInto("appointment_settings")
      .values({ user_id: userId, feed_token_hash: null, ...values })
      .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
      .execute();
  }

  async setFeedToken(userId: UserId, tokenHash: string | null, defaults: AppointmentSettings, at: string) {
    await this.#db
      .insertInto("appointment_settings")
      .values({ user_id: userId, ...settingsColumns(defaults), feed_token_hash: tokenHash, updated_at: at })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ feed_token_hash: tokenHash, updated_at: at }))
      .execute();
  }

  async feedUser(tokenHash: string) {
    const r = await this.#db
      .selectFrom("appointment_settings")
      .select("user_id")
      .where("feed_token_hash", "=", tokenHash)
      .executeTakeFirst();
    return r?.user_id as UserId | undefined;
  }

  async claimReminder(
    appointmentId: AppointmentId,
    userId: UserId,
    occurrenceAt: string,
    minutesBefore: number,
    at: string,
  ) {
    const r = await this.#db
      .insertInto("appointment_reminders")
      .values({
        appointment_id: appointmentId,
        user_id: userId,
        occurrence_at: occurrenceAt,
        minutes_before: minutesBefore,
        sent_at: at,
      })
      .onConflict((oc) =>
        oc.columns(["appointment_id", "user_id", "occurrence_at", "minutes_before"]).doNothing(),
      )
      .returning("appointment_id")
      .executeTakeFirst();
    return r !== undefined;
  }

  async countReminders(appointmentId: AppointmentId) {
    const r = await this.#db
      .selectFrom("appointment_reminders")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
