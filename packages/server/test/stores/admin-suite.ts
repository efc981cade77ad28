import { describe, expect, it } from "vitest";
import {
  auditHash,
  device,
  invite,
  type MakeStorage,
  seed,
  T0,
  T1,
  T2,
  user,
  useStorage,
} from "./storage-fixtures.ts";

const link = (id: string, over: Record<string, string | null> = {}) => ({
  id,
  practiceId: "p1",
  userId: "bob",
  issuerId: "alice",
  tokenHash: `link-hash-${id}`,
  createdAt: T0,
  expiresAt: T2,
  usedAt: null,
  revokedAt: null,
  ...over,
});

/**
 * The conformance suite of the admin port (`AdminStore`): the account list, deactivation, invites
 * withdrawn, sign-in links (single use, atomic), and the filtered audit view. Every adapter must pass it.
 */
export function runAdminSuite(makeStorage: MakeStorage) {
  describe("admin store", () => {
    const storage = useStorage(makeStorage);

    it("lists a practice's accounts staff first, with last activity and live devices", async () => {
      await seed(storage);
      await storage.auth.createUser(user("zed", { role: "admin", displayName: "Zed" }));
      await storage.auth.createPractice({ id: "p2", name: "Other", createdAt: T0 });
      await storage.auth.createUser(user("other", { practiceId: "p2" }));
      await storage.auth.createDevice(device("d1", "bob", { lastSeenAt: T1 }));
      await storage.auth.createDevice(device("d2", "bob", { lastSeenAt: T2, revokedAt: T2 }));
      const accounts = await storage.admin.listAccounts("p1");
      expect(accounts.map((a) => a.userId)).toEqual(["zed", "alice", "bob", "carol"]);
      const bob = accounts.find((a) => a.userId === "bob");
      expect(bob).toMatchObject({ devices: 1, lastActiveAt: T2, deactivatedAt: null, login: "login-bob" });
      expect(accounts.find((a) => a.userId === "carol")).toMatchObject({ devices: 0, lastActiveAt: null });
      expect((await storage.admin.listAccounts("p1", "therapist")).map((a) => a.userId)).toEqual(["alice"]);
      expect(await storage.admin.getAccount("p1", "other")).toBeUndefined();
      expect(await storage.admin.getAccount("p2", "other")).toMatchObject({ userId: "other" });
    });

    it("deactivates and reactivates once each; the mark shows on the account", async () => {
      await seed(storage);
      expect(await storage.admin.setDeactivated("bob", T1)).toBe(true);
      expect(await storage.admin.setDeactivated("bob", T2)).toBe(false);
      expect((await storage.auth.getUser("bob"))?.deactivatedAt).toBe(T1);
      expect(await storage.admin.setDeactivated("bob", null)).toBe(true);
      expect(await storage.admin.setDeactivated("bob", null)).toBe(false);
      expect((await storage.admin.getAccount("p1", "bob"))?.deactivatedAt).toBeNull();
      await storage.admin.setPasswordHash("bob", "$argon2id$new");
      expect((await storage.auth.getUser("bob"))?.passwordHash).toBe("$argon2id$new");
    });

    it("lists pending invites and withdraws one (only a pending one of the practice)", async () => {
      await seed(storage);
      await storage.auth.createInvite(invite("i1", { expiresAt: T2 }));
      await storage.auth.createInvite(invite("i2", { expiresAt: T1 }));
      await storage.auth.createInvite(invite("i3", { usedAt: T0, usedBy: "bob" }));
      expect((await storage.admin.listPendingInvites("p1", T0)).map((i) => i.inviteId)).toEqual(["i2", "i1"]);
      expect((await storage.admin.listPendingInvites("p1", T0))[0]).toMatchObject({
        inviterName: "Name alice",
      });
      expect(await storage.admin.revokeInvite("p2", "i1", T0)).toBe(false);
      expect(await storage.admin.revokeInvite("p1", "i3", T0)).toBe(false);
      expect(await storage.admin.revokeInvite("p1", "i1", T0)).toBe(true);
      expect(await storage.admin.revokeInvite("p1", "i1", T0)).toBe(false);
      expect((await storage.admin.listPendingInvites("p1", T0)).map((i) => i.inviteId)).toEqual(["i2"]);
      // A withdrawn invite can no longer be used.
      expect((await storage.auth.getInviteByTokenHash("invite-hash-i1"))?.revokedAt).toBe(T0);
      expect(await storage.auth.consumeInvite("i1", "carol", T0)).toBe(false);
    });

    it("uses a sign-in link once, atomically, and never after it expired or was withdrawn", async () => {
      await seed(storage);
      await storage.admin.createSignInLink(link("l1") as never);
      await storage.admin.createSignInLink(link("l2") as never);
      await storage.admin.createSignInLink(link("l3", { expiresAt: T1 }) as never);
      expect(await storage.admin.getSignInLinkByTokenHash("link-hash-l1")).toEqual(link("l1"));
      expect(await storage.admin.getSignInLink("nope")).toBeUndefined();
      const racing = await Promise.all([
        storage.admin.useSignInLink("l1", T1),
        storage.admin.useSignInLink("l1", T1),
      ]);
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await storage.admin.revokeSignInLink("l1", T1)).toBe(false);
      expect(await storage.admin.useSignInLink("l3", T1)).toBe(false);
      expect(
        (await storage.admin.listPendingSignInLinks("p1", T0)).map((l) => [
          l.linkId,
          l.userName,
          l.issuerName,
        ]),
      ).toEqual([
        ["l3", "Name bob", "Name alice"],
        ["l2", "Name bob", "Name alice"],
      ]);
      expect(await storage.admin.revokeSignInLink("l2", T1)).toBe(true);
      expect(await storage.admin.useSignInLink("l2", T1)).toBe(false);
      expect(await storage.admin.listPendingSignInLinks("p1", T1)).toEqual([]);
    });

    it("filters the audit log by practice, action, actor, time and page, newest first", async () => {
      await seed(storage);
      await storage.auth.createPractice({ id: "p2", name: "Other", createdAt: T0 });
      await storage.auth.createUser(user("other", { practiceId: "p2" }));
      const rows: [string, string | null, string][] = [
        [T0, "alice", "a.one"],
        [T0, null, "auth.login_failed"],
        [T1, "bob", "a.two"],
        [T1, "other", "a.one"],
        [T2, "alice", "a.two"],
      ];
      for (const [at, actorId, action] of rows) {
        await storage.audit.appendAudit({ at, actorId, action, subject: "bob" }, (prev) =>
          auditHash(prev, action),
        );
      }
      const list = async (f: Record<string, unknown>) =>
        (await storage.admin.listAuditFiltered({ practiceId: "p1", limit: 100, ...f })).map((r) => [
          r.actorId,
          r.action,
        ]);
      expect(await list({})).toEqual([
        ["alice", "a.two"],
        ["bob", "a.two"],
        [null, "auth.login_failed"],
        ["alice", "a.one"],
      ]);
      expect(await list({ action: "a.one" })).toEqual([["alice", "a.one"]]);
      expect(await list({ actorId: "bob" })).toEqual([["bob", "a.two"]]);
      expect(await list({ from: T1, to: T2 })).toEqual([["bob", "a.two"]]);
      const first = await storage.admin.listAuditFiltered({ practiceId: "p1", limit: 2 });
      expect(await list({ before: first[1]!.seq })).toEqual([
        [null, "auth.login_failed"],
        ["alice", "a.one"],
      ]);
      const names = await storage.admin.namesOf("p1", ["alice", "bob", "other", "usr_x"]);
      expect(names.size).toBe(0); // fixture ids have no usr_ prefix: only real user ids are looked up
    });
  });
}
