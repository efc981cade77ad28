import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  AppendRequest,
  AppendResult,
  BlobRecord,
  ConversationRecord,
  DeviceRecord,
  EntryRecord,
  InviteRecord,
  Store,
  UserRecord,
} from "../src/storage/store.ts";

/** A store made for one test, and how to take it down again. */
export interface StoreUnderTest {
  store: Store;
  /** Closes the store and removes whatever it created (file, schema). */
  cleanup(): Promise<void>;
}

const T0 = "2024-01-01T00:00:00.000Z";
const T1 = "2024-01-02T00:00:00.000Z";
const T2 = "2024-01-03T00:00:00.000Z";
const GENESIS = "0".repeat(64);
const enc = new TextEncoder();

const user = (id: string, over: Partial<UserRecord> = {}): UserRecord => ({
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
  ...over,
});

const device = (id: string, userId: string, over: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id,
  userId,
  name: `Device ${id}`,
  tokenHash: `token-hash-${id}`,
  createdAt: T0,
  lastSeenAt: T0,
  revokedAt: null,
  ...over,
});

const invite = (id: string, over: Partial<InviteRecord> = {}): InviteRecord => ({
  id,
  practiceId: "p1",
  inviterId: "alice",
  role: "patient",
  tokenHash: `invite-hash-${id}`,
  expiresAt: T2,
  usedAt: null,
  usedBy: null,
  ...over,
});

const conversation = (id: string, over: Partial<ConversationRecord> = {}): ConversationRecord => ({
  id,
  practiceId: "p1",
  kind: "group",
  createdBy: "alice",
  createdAt: T0,
  lastSeq: 0,
  lastActivityAt: T0,
  ...over,
});

const msg = (
  conversationId: string,
  messageId: string,
  senderId: string,
  body?: Uint8Array,
): AppendRequest => ({
  conversationId,
  messageId,
  senderId,
  senderDeviceId: `${senderId}-phone`,
  kind: "message",
  body: body ?? enc.encode(`ciphertext of ${messageId}`),
  target: null,
});

const del = (conversationId: string, messageId: string, senderId: string, target: string): AppendRequest => ({
  conversationId,
  messageId,
  senderId,
  senderDeviceId: `${senderId}-phone`,
  kind: "delete",
  body: null,
  target,
});

/** The entry of a successful append; fails the test with the refusal otherwise. */
const entryOf = (r: AppendResult | undefined): EntryRecord => {
  if (!r?.ok) throw new Error(`expected a stored entry, got ${JSON.stringify(r)}`);
  return r.entry;
};

const bytes = (b: Uint8Array | null) => (b === null ? null : [...b]);

const auditHash = (prevHash: string, action: string) =>
  createHash("sha256").update(prevHash).update(action).digest("hex");

/** 1..n */
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * The conformance suite of the `Store` port: every adapter must pass it. `makeStore` is called
 * once per test and must return an empty, migrated store of its own; `cleanup` runs after the test,
 * pass or fail.
 *
 * @example
 * runStoreSuite("SQLite", async () => {
 *   const dir = await makeTempDir();
 *   const store = await openSqliteStore({ path: join(dir.path, "hearth.db") });
 *   return { store, cleanup: async () => { await store.close(); await dir.remove(); } };
 * });
 */
export function runStoreSuite(name: string, makeStore: () => Promise<StoreUnderTest>) {
  describe(name, () => {
    let current: StoreUnderTest | undefined;
    let store: Store;

    beforeEach(async () => {
      current = await makeStore();
      store = current.store;
    });

    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    /** A practice `p1` with users alice (therapist), bob and carol (patients). */
    const seed = async () => {
      await store.createPractice({ id: "p1", name: "Practice One", createdAt: T0 });
      await store.createUser(user("alice", { role: "therapist", email: "alice@example.test" }));
      await store.createUser(user("bob"));
      await store.createUser(user("carol", { showPresence: false }));
    };

    /** `seed()` plus conversation c1 (alice, bob) and c2 (alice, carol). */
    const seedConversations = async () => {
      await seed();
      await store.createConversation(conversation("c1"), ["alice", "bob"]);
      await store.createConversation(conversation("c2"), ["alice", "carol"]);
    };

    describe("meta", () => {
      it("gets undefined for a missing key; sets, overwrites and deletes", async () => {
        expect(await store.getMeta("k")).toBeUndefined();
        await store.setMeta("k", "v1");
        await store.setMeta("other", "o");
        expect(await store.getMeta("k")).toBe("v1");
        await store.setMeta("k", "v2");
        expect(await store.getMeta("k")).toBe("v2");
        await store.deleteMeta("k");
        expect(await store.getMeta("k")).toBeUndefined();
        expect(await store.getMeta("other")).toBe("o");
        await store.deleteMeta("never-set");
      });
    });

    describe("practices and users", () => {
      it("creates, gets and counts practices", async () => {
        expect(await store.countPractices()).toBe(0);
        expect(await store.getPractice("p1")).toBeUndefined();
        await store.createPractice({ id: "p1", name: "Practice One", createdAt: T0 });
        await store.createPractice({ id: "p2", name: "Practice Two", createdAt: T1 });
        expect(await store.getPractice("p2")).toEqual({ id: "p2", name: "Practice Two", createdAt: T1 });
        expect(await store.countPractices()).toBe(2);
      });

      it("round-trips every user field, by id and by login", async () => {
        await seed();
        const dora = user("dora", {
          role: "admin",
          email: "dora@example.test",
          showPresence: false,
          failedLogins: 3,
          lockedUntil: T1,
        });
        await store.createUser(dora);
        expect(await store.getUser("dora")).toEqual(dora);
        expect(await store.getUserByLogin("login-dora")).toEqual(dora);
        expect(await store.getUser("bob")).toEqual(user("bob"));
        expect(await store.getUser("nobody")).toBeUndefined();
        expect(await store.getUserByLogin("login-nobody")).toBeUndefined();
      });

      it("counts simultaneous failed logins each, and locks at the limit (then counts afresh)", async () => {
        // Keyed by login key (an HMAC the auth module makes), whether or not an account has it.
        const at = T0;
        const limits = { maxFailures: 5, lockUntil: T1, at, forgetBefore: "2000-01-01T00:00:00.000Z" };
        const results = await Promise.all(
          Array.from({ length: 4 }, () => store.countLoginFailure("key-bob", limits)),
        );
        expect(results).toEqual(["counted", "counted", "counted", "counted"]);
        expect((await store.getLoginAttempt("key-bob"))?.failures).toBe(4);
        expect(await store.countLoginFailure("key-bob", limits)).toBe("locked");
        expect(await store.getLoginAttempt("key-bob")).toMatchObject({ failures: 0, lockedUntil: T1 });
        expect(await store.countLoginFailure("key-bob", limits)).toBe("counted");
        expect(await store.countLoginFailure("key-nobody", limits)).toBe("counted");
        expect(await store.getLoginAttempt("key-nobody")).toEqual({
          key: "key-nobody",
          failures: 1,
          lockedUntil: null,
          updatedAt: at,
        });
        await store.clearLoginFailures("key-bob");
        expect(await store.getLoginAttempt("key-bob")).toMatchObject({ failures: 0, lockedUntil: T1 });
      });

      it("forgets login counters untouched since forgetBefore, unless locked", async () => {
        const old = { maxFailures: 5, lockUntil: T1, at: T0, forgetBefore: T0 };
        for (let i = 0; i < 5; i++) await store.countLoginFailure("locked", old);
        await store.countLoginFailure("stale", old);
        // Later than both: the stale count goes, the lock in force stays.
        await store.countLoginFailure("fresh", { ...old, at: T1, forgetBefore: T1 });
        expect(await store.getLoginAttempt("stale")).toBeUndefined();
        expect(await store.getLoginAttempt("locked")).toMatchObject({ lockedUntil: T1 });
        expect((await store.getLoginAttempt("fresh"))?.failures).toBe(1);
      });

      it("ensureMeta keeps the first value stored", async () => {
        expect(await store.ensureMeta("secret", "first")).toBe("first");
        expect(await store.ensureMeta("secret", "second")).toBe("first");
        expect(await store.getMeta("secret")).toBe("first");
      });

      it("refuses a second user with a login already taken", async () => {
        await seed();
        await expect(store.createUser(user("bob2", { login: "login-bob" }))).rejects.toThrow();
        expect(await store.getUser("bob2")).toBeUndefined();
        expect((await store.getUserByLogin("login-bob"))?.id).toBe("bob");
      });

      it("updates only the fields given; lockedUntil clears with null; an empty patch changes nothing", async () => {
        await seed();
        await store.updateUser("bob", { failedLogins: 5, lockedUntil: T1 });
        expect(await store.getUser("bob")).toEqual(user("bob", { failedLogins: 5, lockedUntil: T1 }));
        await store.updateUser("bob", { displayName: "Robert", showPresence: false, lockedUntil: null });
        expect(await store.getUser("bob")).toEqual(
          user("bob", { displayName: "Robert", showPresence: false, failedLogins: 5 }),
        );
        await store.updateUser("bob", {});
        await store.updateUser("carol", { showPresence: true });
        expect((await store.getUser("carol"))?.showPresence).toBe(true);
        expect(await store.getUser("alice")).toEqual(
          user("alice", { role: "therapist", email: "alice@example.test" }),
        );
      });
    });

    describe("devices", () => {
      it("finds a live session by token hash, with its user; not an unknown or revoked one", async () => {
        await seed();
        await store.createDevice(device("d1", "bob"));
        await store.createDevice(device("d2", "bob", { revokedAt: T1 }));
        expect(await store.getSessionByTokenHash("token-hash-d1")).toEqual({
          device: device("d1", "bob"),
          user: user("bob"),
        });
        expect(await store.getSessionByTokenHash("token-hash-d2")).toBeUndefined();
        expect(await store.getSessionByTokenHash("token-hash-unknown")).toBeUndefined();
        expect(await store.revokeDevice("bob", "d1", T2)).toBe(true);
        expect(await store.getSessionByTokenHash("token-hash-d1")).toBeUndefined();
      });

      it("lists a user's live devices oldest first; revokes only the user's own, once", async () => {
        await seed();
        await store.createDevice(device("d-new", "bob", { createdAt: T2 }));
        await store.createDevice(device("d-old", "bob", { createdAt: T0 }));
        await store.createDevice(device("d-mid", "bob", { createdAt: T1 }));
        await store.createDevice(device("d-carol", "carol"));
        expect((await store.listDevices("bob")).map((d) => d.id)).toEqual(["d-old", "d-mid", "d-new"]);

        expect(await store.revokeDevice("bob", "d-carol", T1)).toBe(false);
        expect(await store.revokeDevice("bob", "d-missing", T1)).toBe(false);
        expect((await store.listDevices("carol")).map((d) => d.id)).toEqual(["d-carol"]);

        expect(await store.revokeDevice("bob", "d-mid", T1)).toBe(true);
        expect(await store.revokeDevice("bob", "d-mid", T2)).toBe(false);
        expect((await store.listDevices("bob")).map((d) => d.id)).toEqual(["d-old", "d-new"]);
        expect(await store.listDevices("alice")).toEqual([]);

        // Renaming: only one's own live devices.
        expect(await store.renameDevice("bob", "d-new", "Bob's phone")).toBe(true);
        expect(await store.renameDevice("bob", "d-carol", "Taken")).toBe(false);
        expect(await store.renameDevice("bob", "d-mid", "Gone")).toBe(false);
        expect((await store.listDevices("bob")).map((d) => [d.id, d.name])).toEqual([
          ["d-old", device("d-old", "bob").name],
          ["d-new", "Bob's phone"],
        ]);
        expect((await store.listDevices("carol"))[0]?.name).not.toBe("Taken");
      });

      it("touches a device's last-seen time", async () => {
        await seed();
        await store.createDevice(device("d1", "bob"));
        await store.createDevice(device("d2", "bob"));
        await store.touchDevice("d1", T2);
        const devices = await store.listDevices("bob");
        expect(devices.find((d) => d.id === "d1")?.lastSeenAt).toBe(T2);
        expect(devices.find((d) => d.id === "d2")?.lastSeenAt).toBe(T0);
      });
    });

    describe("invites", () => {
      it("round-trips an invite by token hash", async () => {
        await seed();
        const i = invite("i1", { role: "therapist" });
        await store.createInvite(i);
        expect(await store.getInviteByTokenHash("invite-hash-i1")).toEqual(i);
        expect(await store.getInviteByTokenHash("invite-hash-unknown")).toBeUndefined();
      });

      it("consumes an invite once and records by whom and when", async () => {
        await seed();
        await store.createInvite(invite("i1"));
        expect(await store.consumeInvite("i1", "bob", T1)).toBe(true);
        expect(await store.consumeInvite("i1", "carol", T1)).toBe(false);
        expect(await store.getInviteByTokenHash("invite-hash-i1")).toEqual(
          invite("i1", { usedAt: T1, usedBy: "bob" }),
        );
        expect(await store.consumeInvite("unknown", "bob", T1)).toBe(false);
      });

      it("refuses an invite that has expired (at or after expiresAt)", async () => {
        await seed();
        await store.createInvite(invite("late", { expiresAt: T1 }));
        await store.createInvite(invite("edge", { expiresAt: T1 }));
        expect(await store.consumeInvite("late", "bob", T2)).toBe(false);
        expect(await store.consumeInvite("edge", "bob", T1)).toBe(false);
        expect(await store.getInviteByTokenHash("invite-hash-late")).toEqual(
          invite("late", { expiresAt: T1 }),
        );
      });

      it("lets exactly one of many concurrent consumers win", async () => {
        await seed();
        await store.createInvite(invite("i1"));
        const claimants = range(12).map((n) => `claimant-${n}`);
        const wins = await Promise.all(claimants.map((c) => store.consumeInvite("i1", c, T1)));
        expect(wins.filter(Boolean)).toHaveLength(1);
        const winner = claimants[wins.indexOf(true)];
        expect((await store.getInviteByTokenHash("invite-hash-i1"))?.usedBy).toBe(winner);
      });
    });

    describe("conversations", () => {
      it("stores a conversation with its members, each once", async () => {
        await seed();
        const c = conversation("c1", { kind: "direct", lastActivityAt: T1 });
        await store.createConversation(c, ["alice", "bob", "alice"]);
        expect(await store.getConversation("c1")).toEqual(c);
        expect(await store.getConversation("missing")).toBeUndefined();
        expect(await store.listMembers("c1")).toHaveLength(2);
      });

      it("answers membership, members, memberships and contacts", async () => {
        await seedConversations();
        expect(await store.isMember("c1", "bob")).toBe(true);
        expect(await store.isMember("c1", "carol")).toBe(false);
        expect(await store.isMember("missing", "bob")).toBe(false);

        const members = await store.listMembers("c1");
        expect([...members].sort((a, b) => (a.userId < b.userId ? -1 : 1))).toEqual([
          {
            conversationId: "c1",
            userId: "alice",
            displayName: "Name alice",
            role: "therapist",
            deliveredSeq: 0,
            readSeq: 0,
            sharedReadSeq: 0,
          },
          {
            conversationId: "c1",
            userId: "bob",
            displayName: "Name bob",
            role: "patient",
            deliveredSeq: 0,
            readSeq: 0,
            sharedReadSeq: 0,
          },
        ]);
        expect(await store.listMembers("missing")).toEqual([]);

        await store.append([msg("c1", "m1", "bob"), msg("c1", "m2", "alice")]);
        const memberships = await store.listMemberships("alice");
        expect([...memberships].sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1))).toEqual([
          { conversationId: "c1", lastSeq: 2 },
          { conversationId: "c2", lastSeq: 0 },
        ]);
        expect(await store.listMemberships("bob")).toEqual([{ conversationId: "c1", lastSeq: 2 }]);
        expect(await store.listMemberships("nobody")).toEqual([]);

        expect([...(await store.listContacts("alice"))].sort()).toEqual(["bob", "carol"]);
        expect(await store.listContacts("bob")).toEqual(["alice"]);
        await store.createConversation(conversation("c3"), ["alice", "bob", "carol"]);
        expect([...(await store.listContacts("bob"))].sort()).toEqual(["alice", "carol"]);
        expect(await store.listContacts("nobody")).toEqual([]);
      });

      it("lists a member's conversations newest activity first", async () => {
        await seed();
        await store.createConversation(conversation("old", { lastActivityAt: T0 }), ["alice", "bob"]);
        await store.createConversation(conversation("new", { lastActivityAt: T1 }), ["alice", "carol"]);
        await store.createConversation(conversation("not-mine", { lastActivityAt: T2 }), ["bob", "carol"]);
        expect((await store.listConversationViews("alice")).map((v) => v.id)).toEqual(["new", "old"]);
        // An append is activity now, which is later than any fixed time above.
        await store.append([msg("old", "m1", "bob")]);
        const views = await store.listConversationViews("alice");
        expect(views.map((v) => v.id)).toEqual(["old", "new"]);
        expect(views[0]?.lastSeq).toBe(1);
        expect(views[0]?.members.map((m) => m.userId).sort()).toEqual(["alice", "bob"]);
        expect(await store.listConversationViews("nobody")).toEqual([]);
      });

      it("counts unread: others' live messages above the read watermark only", async () => {
        await seedConversations();
        const r = await store.append([
          msg("c1", "m1", "bob"), // 1
          msg("c1", "m2", "bob"), // 2
          msg("c1", "m3", "bob"), // 3
          msg("c1", "m4", "alice"), // 4: alice's own
          del("c1", "d2", "bob", "m2"), // 5: tombstone; m2 is deleted
          msg("c1", "m6", "bob"), // 6
        ]);
        expect(r.map((x) => entryOf(x).seq)).toEqual([1, 2, 3, 4, 5, 6]);
        const view = async (userId: string, id: string) =>
          (await store.listConversationViews(userId)).find((v) => v.id === id);

        expect(await view("alice", "c1")).toMatchObject({ id: "c1", lastSeq: 6, readSeq: 0, unread: 3 });
        expect(await view("bob", "c1")).toMatchObject({ readSeq: 0, unread: 1 });
        expect(await view("alice", "c2")).toMatchObject({ lastSeq: 0, unread: 0 });

        await store.updateWatermarks([{ conversationId: "c1", userId: "alice", kind: "read", seq: 3 }]);
        expect(await view("alice", "c1")).toMatchObject({ readSeq: 3, unread: 1 });
        // The delivered watermark does not count as read.
        await store.updateWatermarks([{ conversationId: "c1", userId: "alice", kind: "delivered", seq: 6 }]);
        expect(await view("alice", "c1")).toMatchObject({ readSeq: 3, unread: 1 });
        await store.updateWatermarks([{ conversationId: "c1", userId: "alice", kind: "read", seq: 6 }]);
        expect(await view("alice", "c1")).toMatchObject({ readSeq: 6, unread: 0 });
        const members = (await view("alice", "c1"))?.members;
        expect(members?.find((m) => m.userId === "alice")).toMatchObject({ deliveredSeq: 6, readSeq: 6 });
      });
    });

    describe("append", () => {
      it("assigns seq 1..n gap-free per conversation, independently, and moves the log head", async () => {
        await seedConversations();
        const r1 = await store.append([
          msg("c1", "a", "alice"),
          msg("c2", "x", "alice"),
          msg("c1", "b", "bob"),
        ]);
        const r2 = await store.append([msg("c1", "c", "alice")]);
        const r3 = await store.append([msg("c2", "y", "carol")]);
        expect([...r1, ...r2, ...r3].map((r) => [entryOf(r).conversationId, entryOf(r).seq])).toEqual([
          ["c1", 1],
          ["c2", 1],
          ["c1", 2],
          ["c1", 3],
          ["c2", 2],
        ]);
        expect(r1.every((r) => r.ok && !r.duplicate)).toBe(true);

        const b = entryOf(r1[2]);
        expect(b).toEqual({
          conversationId: "c1",
          seq: 2,
          messageId: "b",
          senderId: "bob",
          senderDeviceId: "bob-phone",
          sentAt: b.sentAt,
          kind: "message",
          body: b.body,
          target: null,
          deleted: false,
          epoch: null,
        });
        expect(bytes(b.body)).toEqual([...enc.encode("ciphertext of b")]);
        expect(Number.isNaN(Date.parse(b.sentAt))).toBe(false);

        const c1 = await store.getConversation("c1");
        expect(c1?.lastSeq).toBe(3);
        expect(c1?.lastActivityAt).toBe(entryOf(r2[0]).sentAt);
        expect((await store.getConversation("c2"))?.lastSeq).toBe(2);
        // What append answered is what is stored.
        const stored = await store.entriesAfter("c1", 0, 10);
        expect(stored.map((e) => ({ ...e, body: bytes(e.body) }))).toEqual(
          [entryOf(r1[0]), entryOf(r1[2]), entryOf(r2[0])].map((e) => ({ ...e, body: bytes(e.body) })),
        );
        expect(await store.append([])).toEqual([]);
      });

      it("answers a resend by the same sender with the stored entry, duplicate: true, and takes no seq", async () => {
        await seedConversations();
        const [first] = await store.append([msg("c1", "m1", "bob", enc.encode("original"))]);
        await store.append([msg("c1", "m2", "alice")]);
        // A resend may come from another device and carry other bytes: the stored message wins.
        const resend = { ...msg("c1", "m1", "bob", enc.encode("resent")), senderDeviceId: "bob-laptop" };
        const [again] = await store.append([resend]);
        expect(again?.ok && again.duplicate).toBe(true);
        const e = entryOf(again);
        expect({ ...e, body: bytes(e.body) }).toEqual({
          ...entryOf(first),
          body: [...enc.encode("original")],
        });
        expect((await store.getConversation("c1"))?.lastSeq).toBe(2);
        expect(await store.entriesAfter("c1", 0, 10)).toHaveLength(2);
      });

      it("scopes message ids to their conversation", async () => {
        await seedConversations();
        const [a, b] = await store.append([msg("c1", "same-id", "alice"), msg("c2", "same-id", "alice")]);
        expect(a?.ok && !a.duplicate && a.entry.seq === 1).toBe(true);
        expect(b?.ok && !b.duplicate && b.entry.seq === 1).toBe(true);
      });

      it("refuses the same message id from another sender, or as another kind, as a conflict", async () => {
        await seedConversations();
        await store.append([msg("c1", "m1", "bob")]);
        expect(await store.append([msg("c1", "m1", "alice")])).toEqual([
          { ok: false, code: "message_conflict" },
        ]);
        expect(await store.append([del("c1", "m1", "bob", "m1")])).toEqual([
          { ok: false, code: "message_conflict" },
        ]);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(1);
        const [e] = await store.entriesAfter("c1", 0, 10);
        expect(e).toMatchObject({ senderId: "bob", kind: "message", deleted: false });
      });

      it("deletes: appends a tombstone with the next seq, erases the target's body and marks it deleted", async () => {
        await seedConversations();
        await store.append([msg("c1", "m1", "bob"), msg("c1", "m2", "bob")]);
        const [d] = await store.append([del("c1", "d1", "bob", "m1")]);
        const tomb = entryOf(d);
        expect(tomb).toMatchObject({
          seq: 3,
          messageId: "d1",
          senderId: "bob",
          kind: "delete",
          body: null,
          target: "m1",
          deleted: false,
        });
        const [m1, m2, t] = await store.entriesAfter("c1", 0, 10);
        expect(m1).toMatchObject({ seq: 1, messageId: "m1", kind: "message", body: null, deleted: true });
        expect(m2).toMatchObject({ seq: 2, messageId: "m2", deleted: false });
        expect(bytes(m2?.body ?? null)).toEqual([...enc.encode("ciphertext of m2")]);
        expect(t).toMatchObject({ seq: 3, kind: "delete", target: "m1", body: null, deleted: false });
        expect((await store.getConversation("c1"))?.lastSeq).toBe(3);

        // Resending the delete is a duplicate, not a second tombstone.
        const [again] = await store.append([del("c1", "d1", "bob", "m1")]);
        expect(again?.ok && again.duplicate && again.entry.seq === 3).toBe(true);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(3);
      });

      it("refuses to delete someone else's message, an unknown one, or a tombstone; stores nothing", async () => {
        await seedConversations();
        await store.append([msg("c1", "m1", "bob"), del("c1", "d0", "alice", "m1")]);
        // (alice's delete above was refused; bob's message is still there)
        expect(await store.append([del("c1", "d1", "alice", "m1")])).toEqual([
          { ok: false, code: "not_sender" },
        ]);
        expect(await store.append([del("c1", "d2", "bob", "missing")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        expect(await store.append([del("c1", "d3", "bob", "m1-in-c2")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        await store.append([msg("c2", "m1-in-c2", "carol")]);
        expect(await store.append([del("c1", "d4", "carol", "m1-in-c2")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        await store.append([del("c1", "d5", "bob", "m1")]);
        expect(await store.append([del("c1", "d6", "bob", "d5")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        // A second tombstone for an already-deleted message (new tombstone id) is refused too.
        expect(await store.append([del("c1", "d7", "bob", "m1")])).toEqual([
          { ok: false, code: "not_found" },
        ]);

        const entries = await store.entriesAfter("c1", 0, 10);
        expect(entries.map((e) => e.messageId)).toEqual(["m1", "d5"]);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(2);
      });

      it("refuses an unknown conversation and takes no seq anywhere", async () => {
        await seedConversations();
        expect(await store.append([msg("nowhere", "m1", "bob")])).toEqual([{ ok: false, code: "not_found" }]);
        expect(await store.entriesAfter("nowhere", 0, 10)).toEqual([]);
        expect(await store.getConversation("nowhere")).toBeUndefined();
        expect((await store.append([msg("c1", "m1", "bob")])).map((r) => entryOf(r).seq)).toEqual([1]);
      });

      it("answers every request of a mixed batch, in order, in one call", async () => {
        await seedConversations();
        await store.append([msg("c1", "old", "bob")]); // c1 seq 1
        const results = await store.append([
          msg("c1", "new1", "alice"), // c1 seq 2
          msg("c1", "old", "bob"), // duplicate of seq 1
          msg("c1", "old", "alice"), // conflict
          msg("c2", "x1", "carol"), // c2 seq 1
          del("c1", "del-new1", "bob", "new1"), // not_sender
          del("c1", "del-old", "bob", "old"), // c1 seq 3
          msg("nowhere", "z", "bob"), // not_found
          del("c1", "del-missing", "bob", "missing"), // not_found
          msg("c1", "new1", "alice"), // duplicate of seq 2, within the same batch
          msg("c1", "new2", "bob"), // c1 seq 4
        ]);
        const summary = results.map((r) =>
          r.ok ? [r.entry.conversationId, r.entry.seq, r.duplicate] : r.code,
        );
        expect(summary).toEqual([
          ["c1", 2, false],
          ["c1", 1, true],
          "message_conflict",
          ["c2", 1, false],
          "not_sender",
          ["c1", 3, false],
          "not_found",
          "not_found",
          ["c1", 2, true],
          ["c1", 4, false],
        ]);
        const c1 = await store.entriesAfter("c1", 0, 10);
        expect(c1.map((e) => [e.seq, e.messageId, e.deleted])).toEqual([
          [1, "old", true],
          [2, "new1", false],
          [3, "del-old", false],
          [4, "new2", false],
        ]);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(4);
        expect((await store.getConversation("c2"))?.lastSeq).toBe(1);
      });

      it("round-trips body bytes exactly: every byte value, NUL and 0xFF runs, empty, null", async () => {
        await seedConversations();
        const bodies: (Uint8Array | null)[] = [
          Uint8Array.from({ length: 256 }, (_, i) => i),
          Uint8Array.from({ length: 256 }, (_, i) => 255 - i),
          new Uint8Array(64), // all 0x00
          new Uint8Array(64).fill(0xff),
          Uint8Array.of(0x00, 0xff, 0x00, 0x5c, 0x27, 0x22, 0x00), // NUL, \, ', " between
          new Uint8Array(0),
          null,
        ];
        // A view into a larger buffer: only its own bytes may be stored.
        const backing = Uint8Array.from({ length: 32 }, (_, i) => i + 100);
        bodies.push(backing.subarray(8, 16));
        const reqs = bodies.map((b, i) => ({ ...msg("c1", `m${i}`, "bob"), body: b }));
        await store.append(reqs);
        const stored = await store.entriesAfter("c1", 0, 100);
        expect(stored.map((e) => bytes(e.body))).toEqual(bodies.map(bytes));
        for (const e of stored) if (e.body !== null) expect(e.body).toBeInstanceOf(Uint8Array);
        // The copy a resend gets back is read from the store too.
        const again = await store.append(reqs);
        expect(again.map((r) => bytes(entryOf(r).body))).toEqual(bodies.map(bytes));
      });
    });

    describe("entriesAfter", () => {
      it("pages in seq order from `after`, at most `limit`, only the asked conversation", async () => {
        await seedConversations();
        await store.append(range(7).map((n) => msg("c1", `m${n}`, n % 2 ? "alice" : "bob")));
        await store.append([msg("c2", "other", "carol")]);
        const seqs = async (after: number, limit: number) =>
          (await store.entriesAfter("c1", after, limit)).map((e) => e.seq);
        expect(await seqs(0, 3)).toEqual([1, 2, 3]);
        expect(await seqs(3, 3)).toEqual([4, 5, 6]);
        expect(await seqs(6, 3)).toEqual([7]);
        expect(await seqs(7, 3)).toEqual([]);
        expect(await seqs(0, 100)).toEqual(range(7));
        expect((await store.entriesAfter("c1", 4, 1))[0]?.messageId).toBe("m5");
        expect((await store.entriesAfter("c2", 0, 10)).map((e) => e.messageId)).toEqual(["other"]);
        expect(await store.entriesAfter("missing", 0, 10)).toEqual([]);
      });
    });

    describe("watermarks", () => {
      it("moves watermarks forward only and returns the moved ones in the given order", async () => {
        await seedConversations();
        const u = (conversationId: string, userId: string, kind: "delivered" | "read", seq: number) => ({
          conversationId,
          userId,
          kind,
          seq,
        });
        expect(await store.updateWatermarks([])).toEqual([]);
        const batch = [
          u("c2", "carol", "read", 2),
          u("c1", "bob", "delivered", 5),
          u("c1", "alice", "read", 3),
          u("c1", "bob", "read", 4),
          u("c1", "carol", "read", 9), // not a member
          u("missing", "bob", "read", 1),
        ];
        expect(await store.updateWatermarks(batch)).toEqual(batch.slice(0, 4));

        const moved = await store.updateWatermarks([
          u("c1", "bob", "delivered", 5), // same: not a move
          u("c1", "bob", "delivered", 3), // backwards
          u("c1", "bob", "read", 6), // forwards
          u("c1", "alice", "read", 0), // backwards
          u("c1", "alice", "delivered", 1), // forwards
          u("c1", "alice", "delivered", 2), // forwards again, same batch
        ]);
        expect(moved).toEqual([
          u("c1", "bob", "read", 6),
          u("c1", "alice", "delivered", 1),
          u("c1", "alice", "delivered", 2),
        ]);
        const members = await store.listMembers("c1");
        expect(members.find((m) => m.userId === "bob")).toMatchObject({ deliveredSeq: 5, readSeq: 6 });
        expect(members.find((m) => m.userId === "alice")).toMatchObject({ deliveredSeq: 2, readSeq: 3 });
        expect((await store.listMembers("c2")).find((m) => m.userId === "carol")).toMatchObject({
          deliveredSeq: 0,
          readSeq: 2,
          sharedReadSeq: 2,
        });

        // A private read moves the member's own marker only; sharing later catches the other up.
        expect(await store.updateWatermarks([{ ...u("c1", "bob", "read", 8), private: true }])).toHaveLength(
          1,
        );
        const bob = async () => (await store.listMembers("c1")).find((m) => m.userId === "bob");
        expect(await bob()).toMatchObject({ readSeq: 8, sharedReadSeq: 6 });
        expect(await store.updateWatermarks([u("c1", "bob", "read", 7)])).toHaveLength(1);
        expect(await bob()).toMatchObject({ readSeq: 8, sharedReadSeq: 7 });
        expect(await store.updateWatermarks([u("c1", "bob", "read", 7)])).toEqual([]);
      });
    });

    describe("MLS delivery service", () => {
      const commit = (
        conversationId: string,
        messageId: string,
        epoch: number,
        over: Partial<AppendRequest> = {},
      ) =>
        ({
          conversationId,
          messageId,
          senderId: "alice",
          senderDeviceId: "alice-phone",
          kind: "commit",
          body: enc.encode(`commit ${messageId}`),
          target: null,
          epoch,
          ...over,
        }) as AppendRequest;

      it("pins an identity key once; a different key later is refused", async () => {
        await seed();
        expect(await store.getIdentityKey("bob")).toBeNull();
        expect(await store.setIdentityKey("bob", "key-1")).toBe(true);
        expect(await store.setIdentityKey("bob", "key-1")).toBe(true);
        expect(await store.setIdentityKey("bob", "key-2")).toBe(false);
        expect(await store.getIdentityKey("bob")).toBe("key-1");
      });

      it("hands out one-time key packages once each, then the last resort again and again", async () => {
        await seed();
        await store.createDevice(device("bob-phone", "bob"));
        await store.addKeyPackages(
          "bob-phone",
          [Uint8Array.of(1), Uint8Array.of(2)],
          Uint8Array.of(9, 0, 255),
          T0,
        );
        expect(await store.countKeyPackages("bob-phone")).toBe(2);
        const got = [
          await store.claimKeyPackage("bob-phone"),
          await store.claimKeyPackage("bob-phone"),
          await store.claimKeyPackage("bob-phone"),
          await store.claimKeyPackage("bob-phone"),
        ].map((b) => (b ? [...b] : null));
        expect(got).toEqual([[1], [2], [9, 0, 255], [9, 0, 255]]);
        expect(await store.countKeyPackages("bob-phone")).toBe(0);
        // A new last resort replaces the old one.
        await store.addKeyPackages("bob-phone", [], Uint8Array.of(7), T1);
        expect([...((await store.claimKeyPackage("bob-phone")) ?? [])]).toEqual([7]);
        expect(await store.claimKeyPackage("nobody-phone")).toBeUndefined();
      });

      it("gives concurrent claimers different one-time packages", async () => {
        await seed();
        await store.createDevice(device("bob-phone", "bob"));
        const pkgs = Array.from({ length: 10 }, (_, i) => Uint8Array.of(i));
        await store.addKeyPackages("bob-phone", pkgs, null, T0);
        const claimed = await Promise.all(pkgs.map(() => store.claimKeyPackage("bob-phone")));
        expect(new Set(claimed.map((b) => b?.[0])).size).toBe(10);
      });

      it("orders commits: the first for an epoch wins, others are stale; welcomes and group info are kept", async () => {
        await seedConversations();
        await store.createDevice(device("bob-phone", "bob"));
        const [first, rival] = await store.append([
          commit("c1", "k1", 0, {
            welcomes: [{ deviceId: "bob-phone", body: Uint8Array.of(5, 5) }],
            groupInfo: Uint8Array.of(4),
          }),
          commit("c1", "k2", 0, { senderId: "bob", senderDeviceId: "bob-phone" }),
        ]);
        expect(entryOf(first)).toMatchObject({ seq: 1, kind: "commit", epoch: 0 });
        expect(rival).toEqual({ ok: false, code: "stale_commit", epoch: 1 });
        const g = await store.getGroupState("c1");
        expect({ epoch: g?.epoch, info: bytes(g?.groupInfo ?? null) }).toEqual({ epoch: 1, info: [4] });
        expect((await store.listWelcomes("bob-phone")).map((w) => ({ ...w, body: [...w.body] }))).toEqual([
          { deviceId: "bob-phone", conversationId: "c1", seq: 1, body: [5, 5] },
        ]);
        // A message between commits does not move the epoch; the next commit must name epoch 1.
        await store.append([msg("c1", "m1", "bob")]);
        expect(await store.append([commit("c1", "k3", 0)])).toEqual([
          { ok: false, code: "stale_commit", epoch: 1 },
        ]);
        expect(entryOf((await store.append([commit("c1", "k3", 1)]))[0])).toMatchObject({ seq: 3, epoch: 1 });
        expect((await store.getGroupState("c1"))?.epoch).toBe(2);
        // A resent commit is a duplicate, not a second epoch change.
        expect((await store.append([commit("c1", "k3", 1)]))[0]).toMatchObject({ ok: true, duplicate: true });
        expect((await store.getGroupState("c1"))?.epoch).toBe(2);
        await store.deleteWelcomes("bob-phone", "c1");
        expect(await store.listWelcomes("bob-phone")).toEqual([]);
        expect(await store.getGroupState("nowhere")).toBeUndefined();
      });

      it("lets exactly one of many concurrent commits for an epoch win", async () => {
        await seedConversations();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.append([commit("c1", `race-${i}`, 0)])),
        );
        const winners = results.flat().filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        expect((await store.getGroupState("c1"))?.epoch).toBe(1);
      });

      it("publishes and replaces a user's archive key record", async () => {
        await seed();
        expect(await store.getArchiveKey("bob")).toBeNull();
        await store.setArchiveKey("bob", "rec-1");
        await store.setArchiveKey("bob", "rec-2");
        expect(await store.getArchiveKey("bob")).toBe("rec-2");
        expect(await store.getArchiveKey("alice")).toBeNull();
      });

      it("relays one transfer message per mailbox, to its owner only, until it expires", async () => {
        await seed();
        await store.createTransfer({ id: "t1", userId: "bob", createdAt: T0, expiresAt: T2 });
        expect(await store.getTransfer("t1", "bob", T1)).toEqual({
          id: "t1",
          userId: "bob",
          body: null,
          createdAt: T0,
          expiresAt: T2,
        });
        expect(await store.getTransfer("t1", "alice", T1)).toBeUndefined();
        expect(await store.putTransfer("t1", "alice", Uint8Array.of(1), T1)).toBe("not_found");
        expect(await store.putTransfer("t1", "bob", Uint8Array.of(0, 255, 7), T1)).toBe("ok");
        expect(await store.putTransfer("t1", "bob", Uint8Array.of(2), T1)).toBe("full");
        expect(bytes((await store.getTransfer("t1", "bob", T1))?.body ?? null)).toEqual([0, 255, 7]);
        // Expired: invisible, refuses a message, and is swept by any delete.
        expect(await store.getTransfer("t1", "bob", T2)).toBeUndefined();
        await store.createTransfer({ id: "t2", userId: "bob", createdAt: T0, expiresAt: T1 });
        expect(await store.putTransfer("t2", "bob", Uint8Array.of(1), T1)).toBe("not_found");
        await store.createTransfer({ id: "t3", userId: "alice", createdAt: T0, expiresAt: T2 });
        expect(await store.deleteTransfer("t3", "bob", T1)).toBe(false);
        expect(await store.deleteTransfer("t1", "bob", T1)).toBe(true);
        expect(await store.getTransfer("t1", "bob", T0)).toBeUndefined();
        expect(await store.getTransfer("t2", "bob", T0)).toBeUndefined();
        expect(await store.getTransfer("t3", "alice", T0)).toMatchObject({ id: "t3" });
      });

      it("lets exactly one of many concurrent transfer puts fill a mailbox", async () => {
        await seed();
        await store.createTransfer({ id: "t1", userId: "bob", createdAt: T0, expiresAt: T2 });
        const r = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.putTransfer("t1", "bob", Uint8Array.of(i), T1)),
        );
        expect(r.filter((x) => x === "ok")).toHaveLength(1);
        expect(r.filter((x) => x === "full")).toHaveLength(5);
      });
    });

    describe("blobs", () => {
      const blob = (id: string, over: Partial<BlobRecord> = {}): BlobRecord => ({
        id,
        conversationId: "c1",
        uploaderId: "bob",
        uploaderDeviceId: "bob-phone",
        size: 20 * 1024 * 1024 + 5136,
        createdAt: T1,
        ...over,
      });

      it("round-trips blob metadata; an unknown id is undefined", async () => {
        await seedConversations();
        await store.createDevice(device("bob-phone", "bob"));
        await store.createDevice(device("alice-laptop", "alice"));
        await store.createBlob(blob("b1"));
        // Sizes past 2^31 survive (bigint on PostgreSQL, returned as a number).
        await store.createBlob(
          blob("b2", { uploaderId: "alice", uploaderDeviceId: "alice-laptop", size: 2 ** 33 }),
        );
        expect(await store.getBlob("b1")).toEqual(blob("b1"));
        expect(await store.getBlob("b2")).toEqual(
          blob("b2", { uploaderId: "alice", uploaderDeviceId: "alice-laptop", size: 2 ** 33 }),
        );
        expect(await store.getBlob("nope")).toBeUndefined();
      });

      it("refuses a second blob with the same id, and one for an unknown conversation or device", async () => {
        await seedConversations();
        await store.createDevice(device("bob-phone", "bob"));
        await store.createBlob(blob("b1"));
        await expect(store.createBlob(blob("b1", { size: 1 }))).rejects.toThrow();
        await expect(store.createBlob(blob("b2", { conversationId: "c-unknown" }))).rejects.toThrow();
        await expect(store.createBlob(blob("b3", { uploaderDeviceId: "d-unknown" }))).rejects.toThrow();
        expect((await store.getBlob("b1"))?.size).toBe(blob("b1").size);
        expect(await store.getBlob("b2")).toBeUndefined();
        expect(await store.getBlob("b3")).toBeUndefined();
      });

      it("rolls a blob back with its transaction", async () => {
        await seedConversations();
        await store.createDevice(device("bob-phone", "bob"));
        await expect(
          store.transaction(async (tx) => {
            await tx.createBlob(blob("b1"));
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        expect(await store.getBlob("b1")).toBeUndefined();
      });

      it("a message declares its sender's blobs; a delete for everyone erases the ones no other message declares", async () => {
        await seedConversations();
        await store.createDevice(device("bob-phone", "bob"));
        await store.createDevice(device("alice-laptop", "alice"));
        await store.createBlob(blob("b1"));
        await store.createBlob(blob("b2"));
        await store.createBlob(blob("b-alice", { uploaderId: "alice", uploaderDeviceId: "alice-laptop" }));
        await store.createBlob(
          blob("b-c2", { conversationId: "c2", uploaderId: "alice", uploaderDeviceId: "alice-laptop" }),
        );
        // Not the sender's, another conversation's, unknown: refused, nothing appended.
        for (const bad of [["b-alice"], ["b1", "nope"]]) {
          expect((await store.append([{ ...msg("c1", "bad", "bob"), blobIds: bad }]))[0]).toEqual({
            ok: false,
            code: "not_found",
            path: "blobIds",
          });
        }
        expect((await store.append([{ ...msg("c1", "bad", "alice"), blobIds: ["b-c2"] }]))[0]).toMatchObject({
          ok: false,
          code: "not_found",
        });
        expect((await store.getConversation("c1"))?.lastSeq).toBe(0);
        const [m1, m2] = await store.append([
          { ...msg("c1", "m1", "bob"), blobIds: ["b1", "b2", "b1"] },
          { ...msg("c1", "m2", "bob"), blobIds: ["b2"] },
        ]);
        expect([entryOf(m1).seq, entryOf(m2).seq]).toEqual([1, 2]);
        const [d1] = await store.append([del("c1", "d1", "bob", "m1")]);
        expect(d1).toMatchObject({ ok: true, erasedBlobIds: ["b1"] });
        expect(await store.getBlob("b1")).toBeUndefined();
        expect(await store.getBlob("b2")).toBeDefined();
        // A resent delete is a duplicate and erases nothing more.
        expect((await store.append([del("c1", "d1", "bob", "m1")]))[0]).toMatchObject({ duplicate: true });
        const [d2] = await store.append([del("c1", "d2", "bob", "m2")]);
        expect(d2).toMatchObject({ ok: true, erasedBlobIds: ["b2"] });
        expect(await store.getBlob("b2")).toBeUndefined();
        expect(await store.getBlob("b-alice")).toBeDefined();
      });
    });

    describe("audit", () => {
      it("chains every row to the previous one from a zero genesis, and pages", async () => {
        const actions = ["login", "invite", "revoke", "export", "logout"];
        const rows = [];
        for (const [i, action] of actions.entries()) {
          rows.push(
            await store.appendAudit(
              { at: T1, actorId: i === 0 ? null : "alice", action, subject: i === 1 ? "i1" : null },
              (prev) => auditHash(prev, action),
            ),
          );
        }
        expect(rows[0]).toEqual({
          seq: rows[0]?.seq,
          at: T1,
          actorId: null,
          action: "login",
          subject: null,
          prevHash: GENESIS,
          hash: auditHash(GENESIS, "login"),
        });
        for (let i = 1; i < rows.length; i++) {
          expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
          expect(rows[i]?.hash).toBe(auditHash(rows[i - 1]?.hash ?? "", actions[i] ?? ""));
          expect(rows[i]?.seq).toBeGreaterThan(rows[i - 1]?.seq ?? Number.POSITIVE_INFINITY);
        }
        expect(await store.listAudit(0, 100)).toEqual(rows);
        const seqs = rows.map((r) => r.seq);
        expect(await store.listAudit(0, 2)).toEqual(rows.slice(0, 2));
        expect(await store.listAudit(seqs[1] ?? 0, 2)).toEqual(rows.slice(2, 4));
        expect(await store.listAudit(seqs[4] ?? 0, 2)).toEqual([]);
      });
    });

    describe("transactions", () => {
      it("commits what the callback did through tx, and returns its value", async () => {
        await seed();
        const value = await store.transaction(async (tx) => {
          await tx.createConversation(conversation("c1"), ["alice", "bob"]);
          await tx.append([msg("c1", "m1", "bob")]);
          await tx.setMeta("k", "v");
          // A nested transaction joins the outer one.
          await tx.transaction((inner) =>
            inner.appendAudit({ at: T1, actorId: null, action: "a", subject: null }, () => "h"),
          );
          return 42;
        });
        expect(value).toBe(42);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(1);
        expect(await store.entriesAfter("c1", 0, 10)).toHaveLength(1);
        expect(await store.getMeta("k")).toBe("v");
        expect(await store.listAudit(0, 10)).toHaveLength(1);
      });

      it("rolls back everything when the callback throws, and rethrows its error", async () => {
        await seedConversations();
        await store.append([msg("c1", "before", "bob")]);
        const boom = new Error("boom");
        await expect(
          store.transaction(async (tx) => {
            await tx.createPractice({ id: "p2", name: "Two", createdAt: T0 });
            await tx.createUser(user("dora", { practiceId: "p2" }));
            await tx.setMeta("k", "v");
            await tx.append([msg("c1", "m1", "bob"), del("c1", "d1", "bob", "before")]);
            await tx.updateWatermarks([{ conversationId: "c1", userId: "alice", kind: "read", seq: 2 }]);
            await tx.appendAudit({ at: T1, actorId: null, action: "a", subject: null }, () => "h");
            await tx.updateUser("bob", { failedLogins: 9 });
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await store.getPractice("p2")).toBeUndefined();
        expect(await store.getUser("dora")).toBeUndefined();
        expect(await store.getMeta("k")).toBeUndefined();
        expect((await store.getConversation("c1"))?.lastSeq).toBe(1);
        const entries = await store.entriesAfter("c1", 0, 10);
        expect(entries.map((e) => [e.messageId, e.deleted])).toEqual([["before", false]]);
        expect(bytes(entries[0]?.body ?? null)).toEqual([...enc.encode("ciphertext of before")]);
        expect((await store.listMembers("c1")).find((m) => m.userId === "alice")?.readSeq).toBe(0);
        expect(await store.listAudit(0, 10)).toEqual([]);
        expect((await store.getUser("bob"))?.failedLogins).toBe(0);
        // The store is still usable, and the seq the rolled-back append took is free again.
        expect((await store.append([msg("c1", "m1", "bob")])).map((r) => entryOf(r).seq)).toEqual([2]);
      });
    });

    describe("concurrency", () => {
      it("gives 20 parallel appends into one conversation seqs 1..20, no gaps, no duplicates", async () => {
        await seedConversations();
        const results = await Promise.all(range(20).map((n) => store.append([msg("c1", `m${n}`, "bob")])));
        const seqOf = new Map(results.map((r) => [entryOf(r[0]).messageId, entryOf(r[0]).seq]));
        expect([...seqOf.values()].sort((a, b) => a - b)).toEqual(range(20));
        const stored = await store.entriesAfter("c1", 0, 100);
        expect(stored.map((e) => e.seq)).toEqual(range(20));
        for (const e of stored) expect(seqOf.get(e.messageId)).toBe(e.seq);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(20);
      });

      it("commits parallel batches that touch two conversations in opposite orders", async () => {
        await seedConversations();
        const batches = range(16).map((n) =>
          n % 2
            ? [msg("c1", `a${n}`, "alice"), msg("c2", `a${n}`, "alice")]
            : [msg("c2", `b${n}`, "alice"), msg("c1", `b${n}`, "alice")],
        );
        const results = await Promise.all(batches.map((b) => store.append(b)));
        expect(results.flat().every((r) => r.ok && !r.duplicate)).toBe(true);
        for (const c of ["c1", "c2"]) {
          expect((await store.entriesAfter(c, 0, 100)).map((e) => e.seq)).toEqual(range(16));
        }
      });

      it("stores a message resent in parallel once; every caller gets that entry", async () => {
        await seedConversations();
        const results = await Promise.all(range(10).map(() => store.append([msg("c1", "m1", "bob")])));
        const entries = results.map((r) => entryOf(r[0]));
        expect(new Set(entries.map((e) => e.seq))).toEqual(new Set([1]));
        expect(results.filter((r) => r[0]?.ok && !r[0].duplicate)).toHaveLength(1);
        expect((await store.getConversation("c1"))?.lastSeq).toBe(1);
        expect(await store.entriesAfter("c1", 0, 10)).toHaveLength(1);
      });

      it("chains 20 parallel audit appends into one unbroken chain", async () => {
        const rows = await Promise.all(
          range(20).map((n) =>
            store.appendAudit({ at: T1, actorId: null, action: `a${n}`, subject: null }, (prev) =>
              auditHash(prev, `a${n}`),
            ),
          ),
        );
        const listed = await store.listAudit(0, 100);
        expect(listed).toHaveLength(20);
        expect([...listed].sort((a, b) => a.seq - b.seq)).toEqual(listed);
        expect(listed[0]?.prevHash).toBe(GENESIS);
        for (let i = 1; i < listed.length; i++) expect(listed[i]?.prevHash).toBe(listed[i - 1]?.hash);
        for (const r of listed) expect(r.hash).toBe(auditHash(r.prevHash, r.action));
        expect(new Set(listed.map((r) => r.hash)).size).toBe(20);
        expect([...rows].sort((a, b) => a.seq - b.seq)).toEqual(listed);
      });

      it("ends parallel watermark moves at the highest seq, whatever the order", async () => {
        await seedConversations();
        const seqs = [7, 3, 12, 1, 9, 12, 5, 11, 2, 8];
        const up = (userId: string, seq: number) => ({
          conversationId: "c1",
          userId,
          kind: "read" as const,
          seq,
        });
        await Promise.all(
          seqs.map((s, i) =>
            store.updateWatermarks(i % 2 ? [up("alice", s), up("bob", s)] : [up("bob", s), up("alice", s)]),
          ),
        );
        const members = await store.listMembers("c1");
        expect(members.map((m) => m.readSeq)).toEqual([12, 12]);
      });
    });
  });
}
