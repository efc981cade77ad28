import type { DeviceId, InviteId, PracticeId, Role, UserId } from "@hearth/protocol";

/** A practice: one clinic, its staff and their patients. */
export interface PracticeRecord {
  id: PracticeId;
  name: string;
  createdAt: string;
}

/** An account. `passwordHash` is argon2id; nothing here is message content. */
export interface UserRecord {
  id: UserId;
  practiceId: PracticeId;
  role: Role;
  login: string;
  displayName: string;
  email: string | null;
  passwordHash: string;
  showPresence: boolean;
  /** Unused since migration 0006: failed sign-ins are counted per login key ({@link LoginAttemptRecord}). */
  failedLogins: number;
  /** Unused since migration 0006, like `failedLogins`. */
  lockedUntil: string | null;
  createdAt: string;
  /** Set while an admin has deactivated the account (migration 0009): sign-in is refused. */
  deactivatedAt?: string | null;
}

/**
 * Failed sign-ins against one login key: an HMAC of the normalised login under a server secret, so
 * unknown logins are counted (and locked) exactly like real ones and the table names no login.
 */
export interface LoginAttemptRecord {
  key: string;
  failures: number;
  lockedUntil: string | null;
  updatedAt: string;
}

/** A signed-in device; the session token is stored only as its SHA-256 hash. */
export interface DeviceRecord {
  id: DeviceId;
  userId: UserId;
  name: string;
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

/** A single-use invite; the token is stored only as its SHA-256 hash. */
export interface InviteRecord {
  id: InviteId;
  practiceId: PracticeId;
  inviterId: UserId;
  role: Role;
  tokenHash: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: UserId | null;
  /** When an admin withdrew it (migration 0009); a withdrawn invite works no more. */
  revokedAt?: string | null;
}

/** The user fields that may change after sign-up (`passwordHash`: a password change). */
export type UserPatch = Partial<
  Pick<UserRecord, "displayName" | "showPresence" | "failedLogins" | "lockedUntil" | "passwordHash">
>;

/**
 * The auth module's port: practices, accounts, failed sign-ins per login key, devices and their
 * sessions, invites, and the server's own settings (`meta`, e.g. the one-time setup token).
 * Implemented over SQL in `storage/kysely/auth-store.ts`; `test/stores/auth-suite.ts` is its
 * conformance suite.
 */
export interface AuthStore {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  deleteMeta(key: string): Promise<void>;
  /** Stores `value` under `key` unless a value is there already; returns the stored one (race-free). */
  ensureMeta(key: string, value: string): Promise<string>;

  createPractice(p: PracticeRecord): Promise<void>;
  getPractice(id: PracticeId): Promise<PracticeRecord | undefined>;
  countPractices(): Promise<number>;

  createUser(u: UserRecord): Promise<void>;
  getUser(id: UserId): Promise<UserRecord | undefined>;
  getUserByLogin(login: string): Promise<UserRecord | undefined>;
  updateUser(id: UserId, patch: UserPatch): Promise<void>;

  /** The failed-sign-in counter of one login key (an HMAC of the login), if it has one. */
  getLoginAttempt(key: string): Promise<LoginAttemptRecord | undefined>;
  /**
   * Counts one failed password check for the key atomically (concurrent failures each count),
   * whether or not any account has that login. The failure that reaches `maxFailures` locks the key
   * until `lockUntil` and starts the count again. Counters untouched since `forgetBefore` (and not
   * locked at `at`) are forgotten.
   */
  countLoginFailure(
    key: string,
    limits: { maxFailures: number; lockUntil: string; at: string; forgetBefore: string },
  ): Promise<"counted" | "locked">;
  /** Forgets the key's failures (a successful sign-in or unlock). */
  clearLoginFailures(key: string): Promise<void>;

  createDevice(d: DeviceRecord): Promise<void>;
  /** The live (not revoked) device holding this token hash, with its user. */
  getSessionByTokenHash(tokenHash: string): Promise<{ device: DeviceRecord; user: UserRecord } | undefined>;
  /** The user's live devices, oldest first. */
  listDevices(userId: UserId): Promise<DeviceRecord[]>;
  /** Revokes one of the user's devices; false when it is not theirs or already revoked. */
  revokeDevice(userId: UserId, deviceId: DeviceId, at: string): Promise<boolean>;
  /** Renames one of the user's live devices; false when it is not theirs or is signed out. */
  renameDevice(userId: UserId, deviceId: DeviceId, name: string): Promise<boolean>;
  touchDevice(deviceId: DeviceId, at: string): Promise<void>;

  createInvite(i: InviteRecord): Promise<void>;
  getInviteByTokenHash(tokenHash: string): Promise<InviteRecord | undefined>;
  /** Marks the invite used, atomically; false when it was used, withdrawn or has expired at `at`. */
  consumeInvite(id: InviteId, usedBy: UserId, at: string): Promise<boolean>;
}
