import { describe, expect, it } from "vitest";
import {
  device,
  invite,
  type MakeStorage,
  range,
  seed,
  T0,
  T1,
  T2,
  user,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the auth port (`AuthStore`): settings, practices, accounts, devices
 * and invites. Every adapter must pass it; `makeStorage` is called once per test.
 */
export function runAuthSuite(makeStorage: MakeStorage) {
  describe("auth store", () => {
    const storage = useStorage(makeStorage);

    describe("meta", () => {
      it("gets undefined for a missing key; sets, overwrites and deletes", async () => {
        expect(await storage.auth.getMeta("k")).toBeUndefined();
        await storage.auth.setMeta("k", "v1");
        await storage.auth.setMeta("other", "o");
        expect(await storage.auth.getMeta("k")).toBe("v1");
        await storage.auth.setMeta("k", "v2");
        expect(await storage.auth.getMeta("k")).toBe("v2");
        await storage.auth.deleteMeta("k");
        expect(await storage.auth.getMeta("k")).toBeUndefined();
        expect(await storage.auth.getMeta("other")).toBe("o");
        await storage.auth.deleteMeta("never-set");
      });
    });
    describe("practices and users", () => {
      it("creates, gets and counts practices", async () => {
        expect(await storage.auth.countPractices()).toBe(0);
        expect(await storage.auth.getPractice("p1")).toBeUndefined();
        await storage.auth.createPractice({ id: "p1", name: "Practice One", createdAt: T0 });
        await storage.auth.createPractice({ id: "p2", name: "Practice Two", createdAt: T1 });
        expect(await storage.auth.getPractice("p2")).toEqual({
          id: "p2",
          name: "Practice Two",
          createdAt: T1,
        });
        expect(await storage.auth.countPractices()).toBe(2);
      });

      it("round-trips every user field, by id and by login", async () => {
        await seed(storage);
        const dora = user("dora", {
          role: "admin",
          email: "dora@example.test",
          showPresence: false,
          failedLogins: 3,
          lockedUntil: T1,
        });
        await storage.auth.createUser(dora);
        expect(await storage.auth.getUser("dora")).toEqual(dora);
        expect(await storage.auth.getUserByLogin("login-dora")).toEqual(dora);
        expect(await storage.auth.getUser("bob")).toEqual(user("bob"));
        expect(await storage.auth.getUser("nobody")).toBeUndefined();
        expect(await storage.auth.getUserByLogin("login-nobody")).toBeUndefined();
      });

      it("counts simultaneous failed logins each, and locks at the limit (then counts afresh)", async () => {
        // Keyed by login key (an HMAC the auth module makes), whether or not an account has it.
        const at = T0;
        const limits = { maxFailures: 5, lockUntil: T1, at, forgetBefore: "2000-01-01T00:00:00.000Z" };
        const results = await Promise.all(
          Array.from({ length: 4 }, () => storage.auth.countLoginFailure("key-bob", limits)),
        );
        expect(results).toEqual(["counted", "counted", "counted", "counted"]);
        expect((await storage.auth.getLoginAttempt("key-bob"))?.failures).toBe(4);
        expect(await storage.auth.countLoginFailure("key-bob", limits)).toBe("locked");
        expect(await storage.auth.getLoginAttempt("key-bob")).toMatchObject({ failures: 0, lockedUntil: T1 });
        expect(await storage.auth.countLoginFailure("key-bob", limits)).toBe("counted");
        expect(await storage.auth.countLoginFailure("key-nobody", limits)).toBe("counted");
        expect(await storage.auth.getLoginAttempt("key-nobody")).toEqual({
          key: "key-nobody",
          failures: 1,
          lockedUntil: null,
          updatedAt: at,
        });
        await storage.auth.clearLoginFailures("key-bob");
        expect(await storage.auth.getLoginAttempt("key-bob")).toMatchObject({ failures: 0, lockedUntil: T1 });
      });

      it("forgets login counters untouched since forgetBefore, unless locked", async () => {
        const old = { maxFailures: 5, lockUntil: T1, at: T0, forgetBefore: T0 };
        for (let i = 0; i < 5; i++) await storage.auth.countLoginFailure("locked", old);
        await storage.auth.countLoginFailure("stale", old);
        // Later than both: the stale count goes, the lock in force stays.
        await storage.auth.countLoginFailure("fresh", { ...old, at: T1, forgetBefore: T1 });
        expect(await storage.auth.getLoginAttempt("stale")).toBeUndefined();
        expect(await storage.auth.getLoginAttempt("locked")).toMatchObject({ lockedUntil: T1 });
        expect((await storage.auth.getLoginAttempt("fresh"))?.failures).toBe(1);
      });

      it("ensureMeta keeps the first value stored", async () => {
        expect(await storage.auth.ensureMeta("secret", "first")).toBe("first");
        expect(await storage.auth.ensureMeta("secret", "second")).toBe("first");
        expect(await storage.auth.getMeta("secret")).toBe("first");
      });

      it("refuses a second user with a login already taken", async () => {
        await seed(storage);
        await expect(storage.auth.createUser(user("bob2", { login: "login-bob" }))).rejects.toThrow();
        expect(await storage.auth.getUser("bob2")).toBeUndefined();
        expect((await storage.auth.getUserByLogin("login-bob"))?.id).toBe("bob");
      });

      it("updates only the fields given; lockedUntil clears with null; an empty patch changes nothing", async () => {
        await seed(storage);
        await storage.auth.updateUser("bob", { failedLogins: 5, lockedUntil: T1 });
        expect(await storage.auth.getUser("bob")).toEqual(user("bob", { failedLogins: 5, lockedUntil: T1 }));
        await storage.auth.updateUser("bob", {
          displayName: "Robert",
          showPresence: false,
          lockedUntil: null,
        });
        expect(await storage.auth.getUser("bob")).toEqual(
          user("bob", { displayName: "Robert", showPresence: false, failedLogins: 5 }),
        );
        await storage.auth.updateUser("bob", {});
        await storage.auth.updateUser("carol", { showPresence: true });
        expect((await storage.auth.getUser("carol"))?.showPresence).toBe(true);
        expect(await storage.auth.getUser("alice")).toEqual(
          user("alice", { role: "therapist", email: "alice@example.test" }),
        );
      });
    });
    describe("devices", () => {
      it("finds a live session by token hash, with its user; not an unknown or revoked one", async () => {
        await seed(storage);
        await storage.auth.createDevice(device("d1", "bob"));
        await storage.auth.createDevice(device("d2", "bob", { revokedAt: T1 }));
        expect(await storage.auth.getSessionByTokenHash("token-hash-d1")).toEqual({
          device: device("d1", "bob"),
          user: user("bob"),
        });
        expect(await storage.auth.getSessionByTokenHash("token-hash-d2")).toBeUndefined();
        expect(await storage.auth.getSessionByTokenHash("token-hash-unknown")).toBeUndefined();
        expect(await storage.auth.revokeDevice("bob", "d1", T2)).toBe(true);
        expect(await storage.auth.getSessionByTokenHash("token-hash-d1")).toBeUndefined();
      });

      it("lists a user's live devices oldest first; revokes only the user's own, once", async () => {
        await seed(storage);
        await storage.auth.createDevice(device("d-new", "bob", { createdAt: T2 }));
        await storage.auth.createDevice(device("d-old", "bob", { createdAt: T0 }));
        await storage.auth.createDevice(device("d-mid", "bob", { createdAt: T1 }));
        await storage.auth.createDevice(device("d-carol", "carol"));
        expect((await storage.auth.listDevices("bob")).map((d) => d.id)).toEqual(["d-old", "d-mid", "d-new"]);

        expect(await storage.auth.revokeDevice("bob", "d-carol", T1)).toBe(false);
        expect(await storage.auth.revokeDevice("bob", "d-missing", T1)).toBe(false);
        expect((await storage.auth.listDevices("carol")).map((d) => d.id)).toEqual(["d-carol"]);

        expect(await storage.auth.revokeDevice("bob", "d-mid", T1)).toBe(true);
        expect(await storage.auth.revokeDevice("bob", "d-mid", T2)).toBe(false);
        expect((await storage.auth.listDevices("bob")).map((d) => d.id)).toEqual(["d-old", "d-new"]);
        expect(await storage.auth.listDevices("alice")).toEqual([]);

        // Renaming: only one's own live devices.
        expect(await storage.auth.renameDevice("bob", "d-new", "Bob's phone")).toBe(true);
        expect(await storage.auth.renameDevice("bob", "d-carol", "Taken")).toBe(false);
        expect(await storage.auth.renameDevice("bob", "d-mid", "Gone")).toBe(false);
        expect((await storage.auth.listDevices("bob")).map((d) => [d.id, d.name])).toEqual([
          ["d-old", device("d-old", "bob").name],
          ["d-new", "Bob's phone"],
        ]);
        expect((await storage.auth.listDevices("carol"))[0]?.name).not.toBe("Taken");
      });

      it("touches a device's last-seen time", async () => {
        await seed(storage);
        await storage.auth.createDevice(device("d1", "bob"));
        await storage.auth.createDevice(device("d2", "bob"));
        await storage.auth.touchDevice("d1", T2);
        const devices = await storage.auth.listDevices("bob");
        expect(devices.find((d) => d.id === "d1")?.lastSeenAt).toBe(T2);
        expect(devices.find((d) => d.id === "d2")?.lastSeenAt).toBe(T0);
      });
    });
    describe("invites", () => {
      it("round-trips an invite by token hash", async () => {
        await seed(storage);
        const i = invite("i1", { role: "therapist" });
        await storage.auth.createInvite(i);
        expect(await storage.auth.getInviteByTokenHash("invite-hash-i1")).toEqual(i);
        expect(await storage.auth.getInviteByTokenHash("invite-hash-unknown")).toBeUndefined();
      });

      it("consumes an invite once and records by whom and when", async () => {
        await seed(storage);
        await storage.auth.createInvite(invite("i1"));
        expect(await storage.auth.consumeInvite("i1", "bob", T1)).toBe(true);
        expect(await storage.auth.consumeInvite("i1", "carol", T1)).toBe(false);
        expect(await storage.auth.getInviteByTokenHash("invite-hash-i1")).toEqual(
          invite("i1", { usedAt: T1, usedBy: "bob" }),
        );
        expect(await storage.auth.consumeInvite("unknown", "bob", T1)).toBe(false);
      });

      it("refuses an invite that has expired (at or after expiresAt)", async () => {
        await seed(storage);
        await storage.auth.createInvite(invite("late", { expiresAt: T1 }));
        await storage.auth.createInvite(invite("edge", { expiresAt: T1 }));
        expect(await storage.auth.consumeInvite("late", "bob", T2)).toBe(false);
        expect(await storage.auth.consumeInvite("edge", "bob", T1)).toBe(false);
        expect(await storage.auth.getInviteByTokenHash("invite-hash-late")).toEqual(
          invite("late", { expiresAt: T1 }),
        );
      });

      it("lets exactly one of many concurrent consumers win", async () => {
        await seed(storage);
        await storage.auth.createInvite(invite("i1"));
        const claimants = range(12).map((n) => `claimant-${n}`);
        const wins = await Promise.all(claimants.map((c) => storage.auth.consumeInvite("i1", c, T1)));
        expect(wins.filter(Boolean)).toHaveLength(1);
        const winner = claimants[wins.indexOf(true)];
        expect((await storage.auth.getInviteByTokenHash("invite-hash-i1"))?.usedBy).toBe(winner);
      });
    });
  });
}
