import type { InviteId, PracticeId, Role, SignInLinkId, UserId } from "@hearth/protocol";
import type { AuditRecord } from "../audit/audit-store.ts";

/** An account as the admin console lists it: no content, keys or email. */
export interface AccountRow {
  userId: UserId;
  practiceId: PracticeId;
  displayName: string;
  login: string;
  role: Role;
  createdAt: string;
  /** The latest `last_seen_at` of any of its devices (signed out or not); null if it never had one. */
  lastActiveAt: string | null;
  /** Live (not signed-out) devices. */
  devices: number;
  deactivatedAt: string | null;
}

/** A pending invite with its inviter's name. */
export interface PendingInviteRow {
  inviteId: InviteId;
  role: Role;
  inviterId: UserId;
  inviterName: string;
  expiresAt: string;
}

/** A single-use sign-in link; the token is stored only as its SHA-256 hash. */
export interface SignInLinkRecord {
  id: SignInLinkId;
  practiceId: PracticeId;
  userId: UserId;
  issuerId: UserId;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

/** A pending sign-in link with the names of its person and its issuer. */
export interface PendingSignInLinkRow {
  linkId: SignInLinkId;
  userId: UserId;
  userName: string;
  issuerId: UserId;
  issuerName: string;
  createdAt: string;
  expiresAt: string;
}

/** Filters of the admin's audit view; every field optional. */
export interface AuditFilter {
  /** Only entries whose actor belongs to this practice, or that have no actor. */
  practiceId: PracticeId;
  action?: string;
  actorId?: UserId;
  /** At or after. */
  from?: string;
  /** Strictly before. */
  to?: string;
  /** seq < before. */
  before?: number;
  limit: number;
}

/**
 * The admin module's port: it owns the `sign_in_links` table and the admin's writes to accounts (the
 * deactivation mark, a password set through a sign-in link) and invites (withdrawing one), and reads
 * across accounts, devices, invites and the audit log for the console. Implemented over SQL in
 * `storage/kysely/admin-store.ts`; `test/stores/admin-suite.ts` is its conformance suite.
 */
export interface AdminStore {
  /** The practice's accounts (optionally one role's): staff first (admin, therapist), then patients, each by name. */
  listAccounts(practiceId: PracticeId, role?: Role): Promise<AccountRow[]>;
  /** One account of the practice; undefined when there is none (or it belongs to another practice). */
  getAccount(practiceId: PracticeId, userId: UserId): Promise<AccountRow | undefined>;
  /** Sets (a time) or clears (null) the account's deactivation; false when it already was so. */
  setDeactivated(userId: UserId, at: string | null): Promise<boolean>;
  /** Replaces the account's argon2id password hash. */
  setPasswordHash(userId: UserId, passwordHash: string): Promise<void>;

  /** The practice's invites not used, withdrawn or expired at `now`, soonest to expire first. */
  listPendingInvites(practiceId: PracticeId, now: string): Promise<PendingInviteRow[]>;
  /** Withdraws a pending invite of the practice; false when there is no such pending invite. */
  revokeInvite(practiceId: PracticeId, inviteId: InviteId, at: string): Promise<boolean>;

  createSignInLink(link: SignInLinkRecord): Promise<void>;
  getSignInLink(id: SignInLinkId): Promise<SignInLinkRecord | undefined>;
  getSignInLinkByTokenHash(tokenHash: string): Promise<SignInLinkRecord | undefined>;
  /** Marks the link used, atomically; false when it was used, withdrawn or has expired at `at`. */
  useSignInLink(id: SignInLinkId, at: string): Promise<boolean>;
  /** Withdraws a link not used yet; false when it was used or withdrawn already. */
  revokeSignInLink(id: SignInLinkId, at: string): Promise<boolean>;
  /** The practice's links not used, withdrawn or expired at `now`, soonest to expire first. */
  listPendingSignInLinks(practiceId: PracticeId, now: string): Promise<PendingSignInLinkRow[]>;

  /** Audit rows matching the filter, newest first. */
  listAuditFiltered(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Display names of those of `ids` that are accounts of the practice. */
  namesOf(practiceId: PracticeId, ids: readonly string[]): Promise<Map<string, string>>;
}
