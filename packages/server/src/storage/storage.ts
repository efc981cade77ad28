import type { AuditStore } from "../modules/audit/audit-store.ts";
import type { AuthStore } from "../modules/auth/auth-store.ts";
import type { BlobMetaStore } from "../modules/blobs/blob-meta-store.ts";
import type { ConversationStore } from "../modules/conversations/conversation-store.ts";
import type { DeliveryStore } from "../modules/delivery/delivery-store.ts";
import type { KeysStore } from "../modules/keys/keys-store.ts";

/** Every module's port, over one database. */
export interface StoragePorts {
  auth: AuthStore;
  conversations: ConversationStore;
  delivery: DeliveryStore;
  keys: KeysStore;
  blobs: BlobMetaStore;
  audit: AuditStore;
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
}
