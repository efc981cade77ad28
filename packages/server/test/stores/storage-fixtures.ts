import { createHash } from "node:crypto";
import { afterEach, beforeEach } from "vitest";
import type { AuthStore, DeviceRecord, InviteRecord, UserRecord } from "../../src/modules/auth/auth-store.ts";
import type { ConversationRecord } from "../../src/modules/conversations/conversation-store.ts";
import type { AppendRequest, AppendResult, EntryRecord } from "../../src/modules/delivery/delivery-store.ts";
import type { Storage, StoragePorts } from "../../src/storage/storage.ts";

/** A storage made for one test, and how to take it down again. */
export interface StorageUnderTest {
  storage: Storage;
  /** Closes the storage and removes whatever it created (file, schema). */
  cleanup(): Promise<void>;
}

/** Makes an empty, migrated storage of its own for each test. */
export type MakeStorage = () => Promise<StorageUnderTest>;

/** A type with its branded ids (and other string literals) widened to `string`. */
type Unbrand<T> = T extends string
  ? string
  : T extends Uint8Array | ((...args: never[]) => unknown)
    ? T
    : T extends readonly (infer U)[]
      ? Unbrand<U>[]
      : T extends object
        ? { [K in keyof T]: Unbrand<T[K]> }
        : T;

/** A port whose methods take plain strings where the real one takes branded ids. */
type LoosePort<P> = {
  [K in keyof P]: P[K] extends (...args: infer A) => infer R
    ? (...args: { [I in keyof A]: Unbrand<A[I]> }) => R
    : P[K];
};

/** Every port, loosely typed, and transactions over them. */
export type LoosePorts = { [K in keyof StoragePorts]: LoosePort<StoragePorts[K]> } & {
  transaction<T>(fn: (tx: LoosePorts) => Promise<T>): Promise<T>;
};

/**
 * Registers `beforeEach`/`afterEach` that open a fresh storage per test and clean it up (pass or
 * fail), and returns a view of the current test's storage.
 *
 * The suites use short readable ids (`"alice"`, `"c1"`) where the server makes prefixed random ones:
 * the stores never look inside an id, so the view accepts plain strings (the same objects at run
 * time; only the compile-time brands are relaxed).
 */
export function useStorage(makeStorage: MakeStorage): LoosePorts {
  let current: StorageUnderTest | undefined;
  beforeEach(async () => {
    current = await makeStorage();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  const storage = () => {
    if (!current) throw new Error("no storage outside a test");
    return current.storage as unknown as LoosePorts;
  };
  return {
    get auth() {
      return storage().auth;
    },
    get conversations() {
      return storage().conversations;
    },
    get delivery() {
      return storage().delivery;
    },
    get keys() {
      return storage().keys;
    },
    get calls() {
      return storage().calls;
    },
    get blobs() {
      return storage().blobs;
    },
    get audit() {
      return storage().audit;
    },
    get admin() {
      return storage().admin;
    },
    get schedule() {
      return storage().schedule;
    },
    get notify() {
      return storage().notify;
    },
    get push() {
      return storage().push;
    },
    get officeHours() {
      return storage().officeHours;
    },
    get appointments() {
      return storage().appointments;
    },
    get checkins() {
      return storage().checkins;
    },
    transaction: (fn) => storage().transaction(fn),
  };
}

export const T0 = "2024-01-01T00:00:00.000Z";
export const T1 = "2024-01-02T00:00:00.000Z";
export const T2 = "2024-01-03T00:00:00.000Z";
export const GENESIS = "0".repeat(64);
export const enc = new TextEncoder();

/** Fields to override in a fixture, ids as plain strings. */
export type Over<R> = Partial<Unbrand<R>>;

export const user = (id: string, over: Over<UserRecord> = {}): UserRecord =>
  ({
    id,
    practiceId: "p1",
    role: "patient",
    login: `login-${id}`,
    displayName: `Name ${id}`,
    email: null,
    passwordHash: `$argon2id$v=19$hash-of-${id}`,
    showPresence: true,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: T0,
    deactivatedAt: null,
    ...over,
  }) as UserRecord;

export const device = (id: string, userId: string, over: Over<DeviceRecord> = {}): DeviceRecord =>
  ({
    id,
    userId,
    name: `Device ${id}`,
    tokenHash: `token-hash-${id}`,
    createdAt: T0,
    lastSeenAt: T0,
    revokedAt: null,
    ...over,
  }) as DeviceRecord;

export const invite = (id: string, over: Over<InviteRecord> = {}): InviteRecord =>
  ({
    id,
    practiceId: "p1",
    inviterId: "alice",
    role: "patient",
    tokenHash: `invite-hash-${id}`,
    expiresAt: T2,
    usedAt: null,
    usedBy: null,
    revokedAt: null,
    ...over,
  }) as InviteRecord;

export const conversation = (id: string, over: Over<ConversationRecord> = {}): ConversationRecord =>
  ({
    id,
    practiceId: "p1",
    kind: "group",
    createdBy: "alice",
    createdAt: T0,
    lastSeq: 0,
    lastActivityAt: T0,
    ...over,
  }) as ConversationRecord;

export const msg = (conversationId: string, messageId: string, senderId: string, body?: Uint8Array) =>
  ({
    conversationId,
    messageId,
    senderId,
    senderDeviceId: `${senderId}-phone`,
    kind: "message",
    body: body ?? enc.encode(`ciphertext of ${messageId}`),
    target: null,
  }) as AppendRequest;

export const del = (conversationId: string, messageId: string, senderId: string, target: string) =>
  ({
    conversationId,
    messageId,
    senderId,
    senderDeviceId: `${senderId}-phone`,
    kind: "delete",
    body: null,
    target,
  }) as AppendRequest;

/** The entry of a successful append; fails the test with the refusal otherwise. */
export const entryOf = (r: AppendResult | undefined): EntryRecord => {
  if (!r?.ok) throw new Error(`expected a stored entry, got ${JSON.stringify(r)}`);
  return r.entry;
};

export const bytes = (b: Uint8Array | null) => (b === null ? null : [...b]);

export const auditHash = (prevHash: string, action: string) =>
  createHash("sha256").update(prevHash).update(action).digest("hex");

/** 1..n */
export const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** A practice `p1` with users alice (therapist), bob and carol (patients). */
export async function seed(storage: { auth: LoosePort<AuthStore> }) {
  await storage.auth.createPractice({ id: "p1", name: "Practice One", createdAt: T0 });
  await storage.auth.createUser(user("alice", { role: "therapist", email: "alice@example.test" }));
  await storage.auth.createUser(user("bob"));
  await storage.auth.createUser(user("carol", { showPresence: false }));
}

/** `seed()` plus conversation c1 (alice, bob) and c2 (alice, carol). */
export async function seedConversations(storage: LoosePorts) {
  await seed(storage);
  await storage.conversations.createConversation(conversation("c1"), ["alice", "bob"]);
  await storage.conversations.createConversation(conversation("c2"), ["alice", "carol"]);
}
