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
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
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
}

/** The user fields that may change after sign-up. */
export type UserPatch = Partial<
  Pick<UserRecord, "displayName" | "showPresence" | "failedLogins" | "lockedUntil">
>;

/**
 * The auth module's port: practices, accounts (with their lockout count), devices and their
 * sessions, invites, and the server's own settings (`meta`, e.g. the one-time setup token).
 * Implemented over SQL in `storage/kysely/auth-store.ts`; `test/stores/auth-suite.ts` is its
 * conformance suite.
 */
export interface AuthStore {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  deleteMeta(key: string): Promise<void>;

  createPractice(p: PracticeRecord): Promise<void>;
  getPractice(id: PracticeId): Promise<PracticeRecord | undefined>;
  countPractices(): Promise<number>;

  createUser(u: UserRecord): Promise<void>;
  getUser(id: UserId): Promise<UserRecord | undefined>;
  getUserByLogin(login: string): Promise<UserRecord | undefined>;
  updateUser(id: UserId, patch: UserPatch): Promise<void>;
  /**
   * Counts one failed password check atomically (concurrent failures each count). The failure that
   * reaches `maxFailures` locks the account until `lockUntil` and starts the count again.
   */
  countFailedLogin(id: UserId, maxFailures: number, lockUntil: string): Promise<"counted" | "locked">;

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
  /** Marks the invite used, atomically; false when it was used already or has expired at `at`. */
  consumeInvite(id: InviteId, usedBy: UserId, at: string): Promise<boolean>;
}
