import type { Kysely } from "kysely";
import type { FieldCodec } from "../at-rest/field-codec.ts";
import type { Database } from "../schema.ts";
import type { RunInTransaction, Storage, StorageLifecycle, TransactionalPorts } from "../storage.ts";
import { KyselyAdminStore } from "./admin-store.ts";
import { KyselyAppointmentStore } from "./appointment-store.ts";
import { KyselyAuditStore } from "./audit-store.ts";
import { KyselyAuthStore } from "./auth-store.ts";
import { KyselyBlobMetaStore } from "./blob-meta-store.ts";
import { KyselyCallSettingsStore } from "./call-settings-store.ts";
import { KyselyCheckinStore } from "./checkin-store.ts";
import { KyselyConversationStore } from "./conversation-store.ts";
import { KyselyDeliveryStore } from "./delivery-store.ts";
import { KyselyKeysStore } from "./keys-store.ts";
import { KyselyNotifyStore } from "./notify-store.ts";
import { KyselyOfficeHoursStore } from "./office-hours-store.ts";
import { KyselyPushStore } from "./push-store.ts";
import { KyselyScheduleStore } from "./schedule-store.ts";
import type { Db, StorageDialect } from "./storage-dialect.ts";
import type { SyncBatch } from "./sync-batch.ts";

/** Every module's Kysely store over one connection or transaction. */
function portsOver(db: Db, dialect: StorageDialect, codec: FieldCodec, sync?: SyncBatch): TransactionalPorts {
  const transaction: RunInTransaction = (fn) =>
    db.isTransaction
      ? // A nested transaction joins the outer one.
        fn(ports)
      : (db as Kysely<Database>).transaction().execute((trx) => fn(portsOver(trx, dialect, codec)));
  const ports: TransactionalPorts = {
    auth: new KyselyAuthStore(db, codec),
    conversations: new KyselyConversationStore(db, codec),
    delivery: new KyselyDeliveryStore(db, dialect, sync),
    keys: new KyselyKeysStore(db, dialect),
    blobs: new KyselyBlobMetaStore(db),
    audit: new KyselyAuditStore(db, dialect),
    admin: new KyselyAdminStore(db, codec),
    schedule: new KyselyScheduleStore(db, dialect),
    notify: new KyselyNotifyStore(db, codec),
    push: new KyselyPushStore(db, codec),
    officeHours: new KyselyOfficeHoursStore(db),
    appointments: new KyselyAppointmentStore(db),
    calls: new KyselyCallSettingsStore(db),
    checkins: new KyselyCheckinStore(db),
    transaction,
  };
  return ports;
}

/**
 * The {@link Storage} of a SQL database: one query layer (Kysely) for every backend, with what
 * differs between them in `dialect`, and the person-identifying fields written and read through
 * `codec` (encrypted at rest, or not). The backends' `open…Storage` functions open the connection,
 * migrate, and call this.
 */
export function kyselyStorage(
  db: Kysely<Database>,
  dialect: StorageDialect,
  codec: FieldCodec,
  lifecycle: StorageLifecycle,
  /** Where the database runs statements synchronously (SQLite): the hot batches use it. */
  sync?: SyncBatch,
): Storage {
  return { ...portsOver(db, dialect, codec, sync), ...lifecycle };
}
