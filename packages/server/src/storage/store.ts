import type { Role } from "@hearth/protocol";

/** A practice: one clinic, its staff and their patients. */
export interface PracticeRecord {
  id: string;
  name: string;
  createdAt: string;
}

/** An account. `passwordHash` is argon2id; nothing here is message content. */
export interface UserRecord {
  id: string;
  practiceId: string;
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
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

/** A single-use invite; the token is stored only as its SHA-256 hash. */
export interface InviteRecord {
  id: string;
  practiceId: string;
  inviterId: string;
  role: Role;
  tokenHash: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
}

/** A conversation and its log head. */
export interface ConversationRecord {
  id: string;
  practiceId: string;
  kind: "direct" | "group";
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  lastActivityAt: string;
}

/** A member of a conversation, with their receipt watermarks. */
export interface MemberRecord {
  conversationId: string;
  userId: string;
  displayName: string;
  role: Role;
  deliveredSeq: number;
  /** Their own read marker (moves on private reads too): never shown to others. */
  readSeq: number;
  /** The read marker they share with the others (read receipts not kept private). */
  sharedReadSeq: number;
}

/** A conversation as one of its members sees it in their list. */
export interface ConversationView extends ConversationRecord {
  readSeq: number;
  unread: number;
  members: MemberRecord[];
}

/** One stored entry of a conversation's ordered log. `body` is opaque ciphertext. */
export interface EntryRecord {
  conversationId: string;
  seq: number;
  messageId: string;
  senderId: string;
  senderDeviceId: string;
  sentAt: string;
  kind: "message" | "delete" | "commit";
  body: Uint8Array | null;
  target: string | null;
  deleted: boolean;
  /** For a commit: the epoch it was made in (the group moves to epoch + 1). */
  epoch: number | null;
}

/** A request to append one entry; the store assigns `seq` and `sentAt`. */
export interface AppendRequest {
  conversationId: string;
  messageId: string;
  senderId: string;
  senderDeviceId: string;
  kind: "message" | "delete" | "commit";
  body: Uint8Array | null;
  target: string | null;
  /** For a commit: the epoch it was made in; it must equal the conversation's current epoch. */
  epoch?: number;
  /** For a commit: welcomes for the devices it adds. */
  welcomes?: { deviceId: string; body: Uint8Array }[];
  /** For a commit: the new epoch's group info (for external joins). */
  groupInfo?: Uint8Array | null;
  /**
   * For a message: the blobs it refers to, as the sender declared them (each uploaded by the sender
   * into this conversation, else the append is refused with `not_found` at `blobIds`).
   */
  blobIds?: string[];
}

/** A device-transfer mailbox: relays one opaque message between two devices of one user. */
export interface TransferRecord {
  id: string;
  userId: string;
  body: Uint8Array | null;
  createdAt: string;
  expiresAt: string;
}

/** A welcome waiting for its device. */
export interface WelcomeRecord {
  deviceId: string;
  conversationId: string;
  seq: number;
  body: Uint8Array;
}

/** The outcome of one append: the stored entry (possibly an earlier one, for a resend) or a refusal. */
export type AppendResult =
  | {
      ok: true;
      entry: EntryRecord;
      duplicate: boolean;
      /**
       * For a delete: the blobs whose metadata went with the deleted message (no other message refers
       * to them); their bytes are the caller's to delete from the BlobStore.
       */
      erasedBlobIds?: string[];
    }
  | { ok: false; code: "not_found" | "not_sender" | "message_conflict"; path?: "blobIds" }
  | { ok: false; code: "stale_commit"; epoch: number };

/** A receipt watermark move. */
export interface WatermarkUpdate {
  conversationId: string;
  userId: string;
  kind: "delivered" | "read";
  seq: number;
  /** A read the member keeps private: moves their own marker only, not the one others see. */
  private?: boolean;
}

/** An encrypted attachment's metadata; the bytes live in the BlobStore and are opaque ciphertext. */
export interface BlobRecord {
  id: string;
  conversationId: string;
  uploaderId: string;
  uploaderDeviceId: string;
  /** Stored (ciphertext) bytes. */
  size: number;
  createdAt: string;
}

/** One row of the tamper-evident audit log. */
export interface AuditRecord {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  subject: string | null;
  prevHash: string;
  hash: string;
}

/** The fields of an audit row that the caller chooses; the store chains it. */
export interface AuditInput {
  at: string;
  actorId: string | null;
  action: string;
  subject: string | null;
}

/**
 * The storage port. Core modules talk only to this interface; adapters (SQLite embedded, PostgreSQL
 * for scale) implement it. `runStoreSuite` in test/store-suite.ts is the conformance suite every
 * adapter must pass.
 */
export interface Store {
  /** Runs `fn` in one transaction; everything it does through `tx` commits or rolls back together. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  deleteMeta(key: string): Promise<void>;
  /** Stores `value` under `key` unless a value is there already; returns the stored one (race-free). */
  ensureMeta(key: string, value: string): Promise<string>;

  createPractice(p: PracticeRecord): Promise<void>;
  getPractice(id: string): Promise<PracticeRecord | undefined>;
  countPractices(): Promise<number>;

  createUser(u: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  getUserByLogin(login: string): Promise<UserRecord | undefined>;
  updateUser(
    id: string,
    patch: Partial<Pick<UserRecord, "displayName" | "showPresence" | "failedLogins" | "lockedUntil">>,
  ): Promise<void>;

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
  listDevices(userId: string): Promise<DeviceRecord[]>;
  /** Revokes one of the user's devices; false when it is not theirs or already revoked. */
  revokeDevice(userId: string, deviceId: string, at: string): Promise<boolean>;
  /** Renames one of the user's live devices; false when it is not theirs or is signed out. */
  renameDevice(userId: string, deviceId: string, name: string): Promise<boolean>;
  touchDevice(deviceId: string, at: string): Promise<void>;

  createInvite(i: InviteRecord): Promise<void>;
  getInviteByTokenHash(tokenHash: string): Promise<InviteRecord | undefined>;
  /** Marks the invite used, atomically; false when it was used already or has expired at `at`. */
  consumeInvite(id: string, usedBy: string, at: string): Promise<boolean>;

  createConversation(c: ConversationRecord, memberIds: string[]): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  isMember(conversationId: string, userId: string): Promise<boolean>;
  listMembers(conversationId: string): Promise<MemberRecord[]>;
  /** Ids and log heads of every conversation the user belongs to. */
  listMemberships(userId: string): Promise<{ conversationId: string; lastSeq: number }[]>;
  /** The user's conversation list, newest activity first, with unread counts. */
  listConversationViews(userId: string): Promise<ConversationView[]>;
  /** User ids who share at least one conversation with `userId` (for presence). */
  listContacts(userId: string): Promise<string[]>;

  /**
   * Appends entries in order, in one transaction (group commit). Each conversation's `seq` is
   * assigned gap-free in the same transaction that stores the entry. A request whose messageId is
   * already stored for that conversation returns the stored entry with `duplicate: true`.
   */
  append(requests: AppendRequest[]): Promise<AppendResult[]>;
  /** Entries with seq > after, ascending, at most `limit`. */
  entriesAfter(conversationId: string, after: number, limit: number): Promise<EntryRecord[]>;
  /** Moves watermarks forward (never back), in one transaction; returns the ones that moved. */
  updateWatermarks(updates: WatermarkUpdate[]): Promise<WatermarkUpdate[]>;

  /** Appends one audit row chained to the previous one; `hash(prevHash)` computes the row's hash. */
  appendAudit(input: AuditInput, hash: (prevHash: string) => string): Promise<AuditRecord>;

  /** The user's pinned identity public key (base64), if set. */
  getIdentityKey(userId: string): Promise<string | null>;
  /** Pins the identity key if none is set; true if it is now `key` (set now or before). */
  setIdentityKey(userId: string, key: string): Promise<boolean>;
  /** Stores one-time key packages for a device; `lastResort` replaces the device's previous one. */
  addKeyPackages(
    deviceId: string,
    packages: Uint8Array[],
    lastResort: Uint8Array | null,
    at: string,
  ): Promise<void>;
  /** Number of one-time key packages left for a device. */
  countKeyPackages(deviceId: string): Promise<number>;
  /** Takes one key package for the device: a one-time one (deleted), else its last resort (kept). */
  claimKeyPackage(deviceId: string): Promise<Uint8Array | undefined>;
  /** Welcomes waiting for a device, oldest first. */
  listWelcomes(deviceId: string): Promise<WelcomeRecord[]>;
  /** Forgets a device's welcomes for a conversation (it has joined). */
  deleteWelcomes(deviceId: string, conversationId: string): Promise<void>;
  /** The conversation's MLS epoch and latest group info. */
  getGroupState(conversationId: string): Promise<{ epoch: number; groupInfo: Uint8Array | null } | undefined>;
  listAudit(after: number, limit: number): Promise<AuditRecord[]>;

  /** The user's signed archive public key record (base64, opaque to the server), if published. */
  getArchiveKey(userId: string): Promise<string | null>;
  /** Publishes (replaces) the user's archive public key record. */
  setArchiveKey(userId: string, record: string): Promise<void>;
  /** Opens an empty device-transfer mailbox owned by one user. */
  createTransfer(t: { id: string; userId: string; createdAt: string; expiresAt: string }): Promise<void>;
  /**
   * Reads a mailbox: only its owner, only before it expires at `at`; `undefined` otherwise.
   */
  getTransfer(id: string, userId: string, at: string): Promise<TransferRecord | undefined>;
  /**
   * Puts the message into an empty, live mailbox of the same user, atomically. `not_found` for
   * another user's, an expired or an unknown mailbox; `full` when it already holds a message.
   */
  putTransfer(id: string, userId: string, body: Uint8Array, at: string): Promise<"ok" | "not_found" | "full">;
  /**
   * Deletes one mailbox of the user, and every expired mailbox of anyone; false when the user had no
   * mailbox `id` (another user's is left alone).
   */
  deleteTransfer(id: string, userId: string, at: string): Promise<boolean>;

  /** Records an uploaded blob (after its bytes are stored). */
  createBlob(b: BlobRecord): Promise<void>;
  /** A blob's metadata, if it exists. */
  getBlob(id: string): Promise<BlobRecord | undefined>;
  /** Total stored size (ciphertext bytes) of the blobs this user uploaded; 0 when none. */
  storedBlobBytes(userId: string): Promise<number>;

  close(): Promise<void>;
}
