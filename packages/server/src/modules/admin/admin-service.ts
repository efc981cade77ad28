import type {
  AdminAccount,
  AdminAuditQuery,
  AdminAuditResponse,
  AdminPendingResponse,
  InviteId,
  Role,
  UserId,
} from "@hearth/protocol";
import type { Clock } from "../../clock.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AuthService, Session } from "../auth/auth-service.ts";
import type { AccountRow, AdminStore } from "./admin-store.ts";

/** What the admin console uses. */
export interface AdminDeps {
  store: AdminStore;
  /** Ends every session of a deactivated account (tokens, sockets, MLS leaves). */
  auth: AuthService;
  audit: AuditLog;
  clock: Clock;
}

/** An account row as the wire carries it. */
export function accountOf(a: AccountRow): AdminAccount {
  return {
    userId: a.userId,
    displayName: a.displayName,
    login: a.login,
    role: a.role,
    createdAt: a.createdAt,
    lastActiveAt: a.lastActiveAt,
    devices: a.devices,
    deactivatedAt: a.deactivatedAt,
  };
}

/**
 * The practice admin's console: the practice's accounts, deactivating and reactivating them, pending
 * invites (and withdrawing one), and the audit log with filters. Every act (and every read of the
 * account list or the log) is audited with the admin as actor. An admin only ever reaches their own
 * practice: anything of another practice is `not_found`.
 */
export class AdminService {
  readonly #d: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#d = deps;
  }

  #now() {
    return new Date(this.#d.clock.now()).toISOString();
  }

  async accounts(admin: Session, role?: Role): Promise<AdminAccount[]> {
    await this.#d.audit.record("accounts.read", admin.user.id, null);
    return (await this.#d.store.listAccounts(admin.user.practiceId, role)).map(accountOf);
  }

  async #account(admin: Session, userId: UserId) {
    const account = await this.#d.store.getAccount(admin.user.practiceId, userId);
    if (!account) throw new HttpRefusal("not_found");
    return account;
  }

  /**
   * Deactivates an account: sign-in is refused from now on, and every device is signed out at once
   * (tokens dead, open sockets closed with `tokenInvalid`). An admin cannot deactivate themselves
   * (the practice would lose its last way in). Deactivating a deactivated account changes nothing.
   */
  async deactivate(admin: Session, userId: UserId): Promise<AdminAccount> {
    if (userId === admin.user.id) throw new HttpRefusal("forbidden");
    await this.#account(admin, userId);
    if (await this.#d.store.setDeactivated(userId, this.#now())) {
      await this.#d.audit.record("account.deactivate", admin.user.id, userId);
    }
    // Also when it was deactivated already: a sign-in racing the first call ends here too.
    await this.#d.auth.endAllSessions(userId);
    return accountOf(await this.#account(admin, userId));
  }

  /** Lets a deactivated account sign in again (with its password, or a sign-in link). */
  async reactivate(admin: Session, userId: UserId): Promise<AdminAccount> {
    await this.#account(admin, userId);
    if (await this.#d.store.setDeactivated(userId, null)) {
      await this.#d.audit.record("account.reactivate", admin.user.id, userId);
    }
    return accountOf(await this.#account(admin, userId));
  }

  async pending(admin: Session): Promise<AdminPendingResponse> {
    const now = this.#now();
    const [invites, signInLinks] = await Promise.all([
      this.#d.store.listPendingInvites(admin.user.practiceId, now),
      this.#d.store.listPendingSignInLinks(admin.user.practiceId, now),
    ]);
    return { invites, signInLinks };
  }

  /** Withdraws a pending invite of the practice; its link then fails with `invite_invalid`. */
  async revokeInvite(admin: Session, inviteId: InviteId): Promise<void> {
    if (!(await this.#d.store.revokeInvite(admin.user.practiceId, inviteId, this.#now()))) {
      throw new HttpRefusal("not_found");
    }
    await this.#d.audit.record("invite.revoke", admin.user.id, inviteId);
  }

  /**
   * A page of the audit log, newest first, filtered; the practice's account names for its ids. The
   * read itself is audited first, so it is the newest entry of an unfiltered first page.
   */
  async auditLog(admin: Session, q: AdminAuditQuery): Promise<AdminAuditResponse> {
    await this.#d.audit.record("audit.read", admin.user.id, null);
    const rows = await this.#d.store.listAuditFiltered({ ...q, practiceId: admin.user.practiceId });
    const ids = rows.flatMap((r) => [r.actorId ?? "", r.subject ?? ""]);
    const names = await this.#d.store.namesOf(admin.user.practiceId, ids);
    const last = rows.at(-1);
    return {
      entries: rows.map((r) => ({
        seq: r.seq,
        at: r.at,
        actorId: r.actorId,
        action: r.action,
        subject: r.subject,
        hash: r.hash,
      })),
      names: Object.fromEntries(names),
      nextBefore: last && rows.length === q.limit && last.seq > 1 ? last.seq : null,
    };
  }
}
