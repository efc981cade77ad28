import { createHash } from "node:crypto";
import type { UserId } from "@hearth/protocol";
import type { AuditRecord, AuditStore } from "./audit-store.ts";

/** Audited actions. Subjects and actors are ids only, never content or names. */
export type AuditAction =
  | "setup"
  | "auth.login"
  | "auth.login_failed"
  | "auth.locked"
  | "auth.login_refused"
  | "auth.unlock_refused"
  | "auth.logout"
  | "auth.unlock"
  | "auth.unlock_failed"
  | "auth.password_change"
  | "auth.password_change_failed"
  | "device.revoke"
  | "device.rename"
  | "invite.create"
  | "invite.accept"
  | "conversation.create"
  | "member.add"
  | "history.read"
  | "blob.upload"
  | "blob.read"
  | "audit.read"
  | "keys.identity"
  | "auth.login_deactivated"
  | "accounts.read"
  | "account.deactivate"
  | "account.reactivate"
  | "invite.revoke"
  | "link.create"
  | "link.revoke"
  | "link.redeem"
  | "notify.settings"
  | "notify.unsubscribe"
  | "checkin.plan_create"
  | "checkin.plan_delete"
  | "office_hours.update";

function rowHash(
  prevHash: string,
  at: string,
  actorId: string | null,
  action: string,
  subject: string | null,
) {
  // Canonical form: a JSON array, so no field boundary can be forged by embedding a separator.
  return createHash("sha256")
    .update(JSON.stringify([prevHash, at, actorId, action, subject]))
    .digest("hex");
}

/**
 * The tamper-evident audit log: append-only, each row hashing its predecessor, so an edited or
 * deleted row breaks every hash after it. Readable (and verifiable) by the practice admin.
 */
export class AuditLog {
  readonly #store: AuditStore;

  constructor(store: AuditStore) {
    this.#store = store;
  }

  /** Appends one row (through `tx` when given, to commit with the change it records). */
  async record(action: AuditAction, actorId: UserId | null, subject: string | null, tx?: AuditStore) {
    const at = new Date().toISOString();
    return (tx ?? this.#store).appendAudit({ at, actorId, action, subject }, (prev) =>
      rowHash(prev, at, actorId, action, subject),
    );
  }

  /** Checks the whole chain; returns the first broken row's seq, if any. */
  async verify(): Promise<{ ok: boolean; count: number; brokenAt?: number }> {
    let prev = "0".repeat(64);
    let after = 0;
    let count = 0;
    for (;;) {
      const rows: AuditRecord[] = await this.#store.listAudit(after, 1000);
      for (const r of rows) {
        if (r.prevHash !== prev || rowHash(prev, r.at, r.actorId, r.action, r.subject) !== r.hash) {
          return { ok: false, count, brokenAt: r.seq };
        }
        prev = r.hash;
        after = r.seq;
        count++;
      }
      if (rows.length < 1000) return { ok: true, count };
    }
  }
}
