import type { AdminStore } from "../modules/admin/admin-store.ts";
import type { AppointmentStore } from "../modules/appointments/appointment-store.ts";
import type { AuditStore } from "../modules/audit/audit-store.ts";
import type { AuthStore } from "../modules/auth/auth-store.ts";
import type { BlobMetaStore } from "../modules/blobs/blob-meta-store.ts";
import type { CallSettingsStore } from "../modules/calls/call-settings-store.ts";
import type { CheckinStore } from "../modules/checkins/checkin-store.ts";
import type { ConversationStore } from "../modules/conversations/conversation-store.ts";
import type { DeliveryStore } from "../modules/delivery/delivery-store.ts";
import type { KeysStore } from "../modules/keys/keys-store.ts";
import type { NotifyStore } from "../modules/notify/notify-store.ts";
import type { OfficeHoursStore } from "../modules/office-hours/office-hours-store.ts";
import type { PushStore } from "../modules/push/push-store.ts";
import type { ScheduleStore } from "../modules/schedule/schedule-store.ts";

/** Every module's port, over one database. */
export interface StoragePorts {
  auth: AuthStore;
  conversations: ConversationStore;
  delivery: DeliveryStore;
  keys: KeysStore;
  blobs: BlobMetaStore;
  audit: AuditStore;
  admin: AdminStore;
  schedule: ScheduleStore;
  notify: NotifyStore;
  push: PushStore;
  officeHours: OfficeHoursStore;
  appointments: AppointmentStore;
  calls: CallSettingsStore;
  checkins: CheckinStore;
}

/** Runs `fn` in one transaction: what it does through the ports of `tx` commits or rolls back together. */
export type RunInTransaction = <T>(fn: (tx: TransactionalPorts) => Promise<T>) => Promise<T>;

/** The ports, and a way to group their writes into one transaction (a nested one joins the outer). */
export interface TransactionalPorts extends StoragePorts {
  transaction: RunInTransaction;
}

/**
 * The storage of a server: one port per module (each module's `<name>-store.ts`), all over one
 * database, plus cross-module transactions and `close`. Opened by `openSqliteStorage` (embedded) or
 * `openPostgresStorage` (for several nodes). A service is handed only the ports it uses.
 *
 * @example
 * const storage = await openSqliteStorage({ path: "./data/hearth.db" });
 * await storage.transaction(async (tx) => {
 *   await tx.conversations.createConversation(record, members);
 *   await tx.audit.appendAudit(row, hash);
 * });
 */
export interface Storage extends TransactionalPorts {
  /** Closes the connection (pool). */
  close(): Promise<void>;
  /**
   * Resolves when the database answers a query now (and, for SQLite, the file opened is still the
   * one at its path); rejects, with a reason in words, when it does not. `/readyz` and `hearth doctor`.
   */
  ping(): Promise<void>;
  /**
   * Resolves once everything committed so far is on disk. PostgreSQL's commit already is; the
   * embedded store syncs its WAL after commits (on the thread pool), and an ack or an HTTP answer
   * that reports a write waits for this first.
   */
  durable(): Promise<void>;
  /** The connection pool's state, where there is a pool (PostgreSQL); undefined for SQLite. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
}

/** What an adapter adds to the ports: closing, durability, a health check and pool figures. */
export type StorageLifecycle = Pick<Storage, "close" | "ping" | "poolStats" | "durable">;
