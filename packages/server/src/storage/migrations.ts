import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import { officeHoursMigration } from "../modules/office-hours/office-hours-migration.ts";
import { atRestLoginKeyMigration } from "./at-rest/at-rest-migration.ts";

/**
 * Numbered schema migrations, written once for every dialect through Kysely's schema builder.
 * Append only: never edit a migration that has shipped; add the next number instead.
 */
export function migrations(dialect: SqlDialect): Record<string, Migration> {
  const bytes = dialect === "postgres" ? sql`bytea` : sql`blob`;
  return {
    "0001_core": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("meta")
          .addColumn("key", "text", (c) => c.primaryKey())
          .addColumn("value", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("practices")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("users")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("practice_id", "text", (c) => c.notNull().references("practices.id"))
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("login", "text", (c) => c.notNull().unique())
          .addColumn("display_name", "text", (c) => c.notNull())
          .addColumn("email", "text")
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("show_presence", "integer", (c) => c.notNull().defaultTo(1))
          .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("locked_until", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("devices")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("last_seen_at", "text", (c) => c.notNull())
          .addColumn("revoked_at", "text")
          .execute();
        await db.schema.createIndex("devices_user").on("devices").column("user_id").execute();
        await db.schema
          .createTable("invites")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("practice_id", "text", (c) => c.notNull().references("practices.id"))
          .addColumn("inviter_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("expires_at", "text", (c) => c.notNull())
          .addColumn("used_at", "text")
          .addColumn("used_by", "text")
          .execute();
        await db.schema
          .createTable("conversations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("practice_id", "text", (c) => c.notNull().references("practices.id"))
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("last_seq", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("last_activity_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("members")
          .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("joined_at", "text", (c) => c.notNull())
          .addColumn("delivered_seq", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("read_seq", "integer", (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint("members_pk", ["conversation_id", "user_id"])
          .execute();
        await db.schema.createIndex("members_user").on("members").column("user_id").execute();
        await db.schema
          .createTable("entries")
          .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
          .addColumn("seq", "integer", (c) => c.notNull())
          .addColumn("message_id", "text", (c) => c.notNull())
          .addColumn("sender_id", "text", (c) => c.notNull())
          .addColumn("sender_device_id", "text", (c) => c.notNull())
          .addColumn("sent_at", "text", (c) => c.notNull())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("body", bytes)
          .addColumn("target", "text")
          .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint("entries_pk", ["conversation_id", "seq"])
          .addUniqueConstraint("entries_message", ["conversation_id", "message_id"])
          .execute();
        await db.schema
          .createTable("audit")
          // SQLite: INTEGER PRIMARY KEY is the auto-incrementing rowid; PostgreSQL needs an identity.
          .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) => c.primaryKey())
          .addColumn("at", "text", (c) => c.notNull())
          .addColumn("actor_id", "text")
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("subject", "text")
          .addColumn("prev_hash", "text", (c) => c.notNull())
          .addColumn("hash", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0002_mls": {
      async up(db: Kysely<unknown>) {
        // The MLS delivery service: pinned identity keys, key packages, welcomes, group epochs.
        await db.schema.alterTable("users").addColumn("identity_key", "text").execute();
        await db.schema
          .alterTable("conversations")
          .addColumn("epoch", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable("conversations").addColumn("group_info", bytes).execute();
        await db.schema.alterTable("entries").addColumn("epoch", "integer").execute();
        await db.schema
          .createTable("key_packages")
          .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) => c.primaryKey())
          .addColumn("device_id", "text", (c) => c.notNull().references("devices.id"))
          .addColumn("data", bytes, (c) => c.notNull())
          .addColumn("last_resort", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("key_packages_device").on("key_packages").column("device_id").execute();
        await db.schema
          .createTable("welcomes")
          .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) => c.primaryKey())
          .addColumn("device_id", "text", (c) => c.notNull().references("devices.id"))
          .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
          .addColumn("seq", "integer", (c) => c.notNull())
          .addColumn("data", bytes, (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("welcomes_device").on("welcomes").column("device_id").execute();
      },
    },
    "0003_e2ee": {
      async up(db: Kysely<unknown>) {
        // End-to-end encryption: each user's signed archive public key record (opaque to the
        // server), and the short-lived mailbox that relays a device transfer between two devices.
        await db.schema.alterTable("users").addColumn("archive_key", "text").execute();
        await db.schema
          .createTable("transfers")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("body", bytes)
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("expires_at", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0004_blobs": {
      async up(db: Kysely<unknown>) {
        // Encrypted attachments: who uploaded which opaque blob into which conversation, and its
        // size. The bytes live in the BlobStore; no file name, type or caption is ever stored.
        await db.schema
          .createTable("blobs")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
          .addColumn("uploader_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("uploader_device_id", "text", (c) => c.notNull().references("devices.id"))
          .addColumn("size", "bigint", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("blobs_conversation").on("blobs").column("conversation_id").execute();
      },
    },
    "0005_shared_read": {
      async up(db: Kysely<unknown>) {
        // The read watermark as the member shares it with the others (receipts not kept private),
        // so a device that was offline when a receipt went out still learns it from the list.
        // `read_seq` also moves on private reads (the member's own unread counts); it is never shown
        // to others. Starts at 0: earlier reads may have been private.
        await db.schema
          .alterTable("members")
          .addColumn("shared_read_seq", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    "0006_login_attempts": {
      async up(db: Kysely<unknown>) {
        // Failed sign-ins counted per login key (an HMAC of the normalised login under a server
        // secret), whether or not an account has that login, so the lockout never reveals who has
        // an account (security finding 3). `users.failed_logins` and `users.locked_until` are no
        // longer read; a lock in force when upgrading is not carried over (it could not be keyed
        // here without the secret) and a count starts again from zero.
        await db.schema
          .createTable("login_attempts")
          .addColumn("key", "text", (c) => c.primaryKey())
          .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("locked_until", "text")
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("login_attempts_updated")
          .on("login_attempts")
          .column("updated_at")
          .execute();
      },
    },
    "0007_message_blobs": {
      async up(db: Kysely<unknown>) {
        // The blobs each message refers to, as its sender declared them on `send` (the references
        // inside the encrypted payload are invisible to the server), so that deleting a message for
        // everyone deletes its blobs too once no other message refers to them (security finding 5).
        // Messages sent before this migration declared nothing; their blobs are kept.
        await db.schema
          .createTable("message_blobs")
          .addColumn("conversation_id", "text", (c) => c.notNull())
          .addColumn("message_id", "text", (c) => c.notNull())
          .addColumn("blob_id", "text", (c) => c.notNull().references("blobs.id"))
          .addPrimaryKeyConstraint("message_blobs_pk", ["conversation_id", "message_id", "blob_id"])
          .execute();
        await db.schema.createIndex("message_blobs_blob").on("message_blobs").column("blob_id").execute();
      },
    },
    "0008_blobs_uploader": {
      async up(db: Kysely<unknown>) {
        // The per-user blob quota sums the sizes of a user's blobs on every upload (security
        // finding 6): an index on the uploader keeps that a lookup, not a scan of every blob.
        await db.schema.createIndex("blobs_uploader").on("blobs").column("uploader_id").execute();
      },
    },
    "0009_admin": {
      async up(db: Kysely<unknown>) {
        // The admin console (issue 14): deactivated accounts (sign-in refused, every device signed
        // out), invites an admin withdrew, and the single-use sign-in links an admin or therapist
        // issues to someone who forgot their password. A link's token is stored only as its hash.
        await db.schema.alterTable("users").addColumn("deactivated_at", "text").execute();
        await db.schema.alterTable("invites").addColumn("revoked_at", "text").execute();
        await db.schema
          .createTable("sign_in_links")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("practice_id", "text", (c) => c.notNull().references("practices.id"))
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("issuer_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("expires_at", "text", (c) => c.notNull())
          .addColumn("used_at", "text")
          .addColumn("revoked_at", "text")
          .execute();
        await db.schema
          .createIndex("sign_in_links_practice")
          .on("sign_in_links")
          .column("practice_id")
          .execute();
        await db.schema.createIndex("audit_actor").on("audit").column("actor_id").execute();
      },
    },
    "0010_schedule": {
      async up(db: Kysely<unknown>) {
        // Durable jobs (the schedule module): each row runs once; a node claims a due row by writing a
        // lease (owner and expiry), so a job whose node died runs again once its lease has expired.
        // `dedupe_key` makes "one pending job per key" a unique constraint (NULLs never collide).
        await db.schema
          .createTable("jobs")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("run_at", "text", (c) => c.notNull())
          .addColumn("dedupe_key", "text", (c) => c.unique())
          .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("lease_owner", "text")
          .addColumn("lease_until", "text")
          .addColumn("last_error", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("jobs_due").on("jobs").columns(["status", "run_at"]).execute();
        // Email fallback (the notify module): each user's address, delay, digest choice and quiet
        // hours; conversations waiting for the user's next email; when each conversation last caused
        // one (at most one an hour); and the hashes of one-click unsubscribe tokens sent out.
        await db.schema
          .createTable("notify_settings")
          .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
          .addColumn("email", "text")
          .addColumn("email_delay_minutes", "integer", (c) => c.notNull().defaultTo(30))
          .addColumn("email_digest", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("quiet_start", "text")
          .addColumn("quiet_end", "text")
          .addColumn("time_zone", "text")
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("notify_outbox")
          .addColumn("user_id", "text", (c) => c.notNull())
          .addColumn("conversation_id", "text", (c) => c.notNull())
          .addColumn("added_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("notify_outbox_pk", ["user_id", "conversation_id"])
          .execute();
        await db.schema
          .createTable("notify_sent")
          .addColumn("user_id", "text", (c) => c.notNull())
          .addColumn("conversation_id", "text", (c) => c.notNull())
          .addColumn("sent_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("notify_sent_pk", ["user_id", "conversation_id"])
          .execute();
        await db.schema
          .createTable("unsubscribe_tokens")
          .addColumn("token_hash", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0011_push": {
      async up(db: Kysely<unknown>) {
        // Web Push (issue 10): at most one subscription per device. `alias_key` is the
        // subscription's own random key under which each conversation gets an opaque reference
        // (the push payload's `ref` and its `Topic` header), so a push names no conversation id.
        // The VAPID key pair lives in `meta` (key `push.vapid`).
        await db.schema
          .createTable("push_subscriptions")
          .addColumn("device_id", "text", (c) => c.primaryKey().references("devices.id"))
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("endpoint", "text", (c) => c.notNull())
          .addColumn("p256dh", "text", (c) => c.notNull())
          .addColumn("auth", "text", (c) => c.notNull())
          .addColumn("alias_key", "text", (c) => c.notNull())
          .addColumn("show_sender", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("push_subscriptions_user")
          .on("push_subscriptions")
          .column("user_id")
          .execute();
      },
    },
    "0012_office_hours": officeHoursMigration,
    "0013_appointments": {
      async up(db: Kysely<unknown>) {
        // Appointments (issue 11): only what a reminder and a calendar feed need. The participants
        // are the conversation's members; a session's note is an encrypted message, never here.
        // `first_start_at`/`last_end_at` (null: a series without end) bound the series in UTC so
        // listings need not expand every rule.
        await db.schema
          .createTable("appointments")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
          .addColumn("organizer_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("local_start", "text", (c) => c.notNull())
          .addColumn("time_zone", "text", (c) => c.notNull())
          .addColumn("duration_minutes", "integer", (c) => c.notNull())
          .addColumn("recurrence", "text")
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("first_start_at", "text", (c) => c.notNull())
          .addColumn("last_end_at", "text")
          .addColumn("reschedule_by", "text")
          .addColumn("reschedule_at", "text")
          .addColumn("revision", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("appointments_conversation")
          .on("appointments")
          .column("conversation_id")
          .execute();
        // Per-user reminder choices and the calendar feed's secret (a hash; null: no feed).
        await db.schema
          .createTable("appointment_settings")
          .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
          .addColumn("reminder_minutes", "text", (c) => c.notNull())
          .addColumn("push", "integer", (c) => c.notNull())
          .addColumn("email", "integer", (c) => c.notNull())
          .addColumn("show_time", "integer", (c) => c.notNull())
          .addColumn("feed_names", "integer", (c) => c.notNull())
          .addColumn("feed_token_hash", "text", (c) => c.unique())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        // One row per reminder that went out: a job run twice (a node died mid-run) sends it once.
        await db.schema
          .createTable("appointment_reminders")
          .addColumn("appointment_id", "text", (c) => c.notNull().references("appointments.id"))
          .addColumn("user_id", "text", (c) => c.notNull())
          .addColumn("occurrence_at", "text", (c) => c.notNull())
          .addColumn("minutes_before", "integer", (c) => c.notNull())
          .addColumn("sent_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("appointment_reminders_pk", [
            "appointment_id",
            "user_id",
            "occurrence_at",
            "minutes_before",
          ])
          .execute();
      },
    },
    "0014_checkins": {
      async up(db: Kysely<unknown>) {
        // Wellness check-in plans (issue 11): whom to remind, in which conversation, when (local
        // time, weekdays, IANA zone). The instrument and every answer stay end-to-end encrypted in
        // the conversation; reminders are durable jobs (`jobs`, kind `checkin.remind`).
        await db.schema
          .createTable("checkin_plans")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("conversation_id", "text", (c) => c.notNull().references("conversations.id"))
          .addColumn("patient_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
          .addColumn("time_zone", "text", (c) => c.notNull())
          .addColumn("local_time", "text", (c) => c.notNull())
          .addColumn("days", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("checkin_plans_conversation")
          .on("checkin_plans")
          .column("conversation_id")
          .execute();
        await db.schema
          .createIndex("checkin_plans_patient")
          .on("checkin_plans")
          .column("patient_id")
          .execute();
      },
    },
    "0016_calls": {
      async up(db: Kysely<unknown>) {
        // Calls (issue 12): each user's call preferences, once changed from the role's default.
        // Nothing about any call itself is stored: ringing and signaling are relayed, never kept.
        await db.schema
          .createTable("call_settings")
          .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
          .addColumn("relay_only", "integer", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0017_checkin_reminders": {
      async up(db: Kysely<unknown>) {
        // One row per check-in reminder that went out (plan, due instant): a job run twice (its node
        // was killed between the push and the deferral) reminds once. Ids and times only.
        await db.schema
          .createTable("checkin_reminders")
          .addColumn("plan_id", "text", (c) => c.notNull().references("checkin_plans.id"))
          .addColumn("due_at", "text", (c) => c.notNull())
          .addColumn("sent_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("checkin_reminders_pk", ["plan_id", "due_at"])
          .execute();
      },
    },
    "0020_at_rest_login_key": atRestLoginKeyMigration,
  };
}

/** The SQL dialects the store runs on. */
export type SqlDialect = "sqlite" | "postgres";

class StaticProvider implements MigrationProvider {
  readonly #dialect: SqlDialect;
  constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
  }
  async getMigrations() {
    return migrations(this.#dialect);
  }
}

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  // null when no schema on the search_path exists: nothing could be created anywhere sensible.
  if (!schema) throw new Error("PostgreSQL: no schema on the search_path exists");
  return schema;
}

/** Runs every pending migration, or up to `target` (a migration name) — used by the migration tests. */
export async function migrate(db: Kysely<unknown>, dialect: SqlDialect, target?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(dialect),
    // PostgreSQL: pin Kysely's bookkeeping tables to the connection's own schema. Without a schema,
    // Kysely decides whether `kysely_migration` exists by looking through *every* schema of the
    // database, so a second Hearth schema in the same database (isolated test runs, several
    // deployments) would skip creating its own and then fail to find it on its search_path.
    migrationTableSchema: dialect === "postgres" ? await currentSchema(db) : undefined,
  });
  for (let attempt = 1; ; attempt++) {
    const { error } =
      target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
    if (!error) return;
    // Kysely reads its bookkeeping tables' metadata across every schema of the database; a schema
    // that another instance (a parallel test run) drops during that scan fails it with 3F000
    // (invalid_schema_name). Nothing was migrated then, so it is safe to look again.
    if (attempt < 5 && (error as { code?: unknown }).code === "3F000") continue;
    throw error instanceof Error ? error : new Error(String(error));
  }
}
