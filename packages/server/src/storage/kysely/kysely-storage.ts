import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";
import type { RunInTransaction, Storage, TransactionalPorts } from "../storage.ts";
import { KyselyAuditStore } from "./audit-store.ts";
import { KyselyAuthStore } from "./auth-store.ts";
import { KyselyBlobMetaStore } from "./blob-meta-store.ts";
import { KyselyConversationStore } from "./conversation-store.ts";
import { KyselyDeliveryStore } from "./delivery-store.ts";
import { KyselyKeysStore } from "./keys-store.ts";
import type { Db, StorageDialect } from "./storage-dialect.ts";

/** Every module's Kysely store over one connection or transaction. */
function portsOver(db: Db, dialect: StorageDialect): TransactionalPorts {
  const transaction: RunInTransaction = (fn) =>
    db.isTransaction
      ? // A nested transaction joins the outer one.
        fn(ports)
      : (db as Kysely<Database>).transaction().execute((trx) => fn(portsOver(trx, dialect)));
  const ports: TransactionalPorts = {
    auth: new KyselyAuthStore(db),
    conversations: new KyselyConversationStore(db),
    delivery: new KyselyDeliveryStore(db, dialect),
    keys: new KyselyKeysStore(db, dialect),
    blobs: new KyselyBlobMetaStore(db),
    audit: new KyselyAuditStore(db, dialect),
    transaction,
  };
  return ports;
}

/**
 * The {@link Storage} of a SQL database: one query layer (Kysely) for every backend, with what
 * differs between them in `dialect`. The backends' `open…Storage` functions open the connection,
 * migrate, and call this.
 */
export function kyselyStorage(
  db: Kysely<Database>,
  dialect: StorageDialect,
  close: () => Promise<void>,
): Storage {
  return { ...portsOver(db, dialect), close };
}
