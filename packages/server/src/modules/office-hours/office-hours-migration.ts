import type { Kysely, Migration } from "kysely";

/**
 * Migration `0012_office_hours` (issue 10): therapists' office hours (one JSON row of their own
 * settings per user: weekly hours, time zone, away dates, away text, typical reply time), and the
 * automatic replies recorded per conversation, unique per therapist and closed period.
 */
export const officeHoursMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("office_hours")
      .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
      .addColumn("settings", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("auto_replies")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
      .addColumn("therapist_id", "text", (c) => c.notNull().references("users.id"))
      // The closed period: its end (the next opening, ISO) or `none` when no opening is ahead.
      .addColumn("period_key", "text", (c) => c.notNull())
      .addColumn("after_seq", "integer", (c) => c.notNull())
      .addColumn("next_open_at", "text")
      .addColumn("typical_reply_hours", "integer", (c) => c.notNull())
      .addColumn("away_text", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addUniqueConstraint("auto_replies_once", ["conversation_id", "therapist_id", "period_key"])
      .execute();
  },
};
