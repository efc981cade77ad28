import type { UserId } from "@hearth/protocol";

/** One row of the tamper-evident audit log. */
export interface AuditRecord {
  seq: number;
  at: string;
  actorId: UserId | null;
  action: string;
  subject: string | null;
  prevHash: string;
  hash: string;
}

/** The fields of an audit row that the caller chooses; the store chains it. */
export interface AuditInput {
  at: string;
  actorId: UserId | null;
  action: string;
  subject: string | null;
}

/**
 * The audit module's port: an append-only, hash-chained log. Implemented over SQL in
 * `storage/kysely/audit-store.ts`; `test/stores/audit-suite.ts` is its conformance suite.
 */
export interface AuditStore {
  /** Appends one audit row chained to the previous one; `hash(prevHash)` computes the row's hash. */
  appendAudit(input: AuditInput, hash: (prevHash: string) => string): Promise<AuditRecord>;
  /** Rows with seq > after, ascending, at most `limit`. */
  listAudit(after: number, limit: number): Promise<AuditRecord[]>;
}
