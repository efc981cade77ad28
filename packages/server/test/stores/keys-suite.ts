import { describe, expect, it } from "vitest";
import type { AppendRequest } from "../../src/modules/delivery/delivery-store.ts";
import {
  bytes,
  device,
  enc,
  entryOf,
  type MakeStorage,
  msg,
  type Over,
  seed,
  seedConversations,
  T0,
  T1,
  T2,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the keys port (`KeysStore`): identity keys, key packages, MLS
 * commit ordering with welcomes and group info (through the delivery port), archive keys and
 * device-transfer mailboxes.
 */
export function runKeysSuite(makeStorage: MakeStorage) {
  describe("keys store", () => {
    const storage = useStorage(makeStorage);

    describe("MLS delivery service", () => {
      const commit = (
        conversationId: string,
        messageId: string,
        epoch: number,
        over: Over<AppendRequest> = {},
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
        await seed(storage);
        expect(await storage.keys.getIdentityKey("bob")).toBeNull();
        expect(await storage.keys.setIdentityKey("bob", "key-1")).toBe(true);
        expect(await storage.keys.setIdentityKey("bob", "key-1")).toBe(true);
        expect(await storage.keys.setIdentityKey("bob", "key-2")).toBe(false);
        expect(await storage.keys.getIdentityKey("bob")).toBe("key-1");
      });

      it("hands out one-time key packages once each, then the last resort again and again", async () => {
        await seed(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        await storage.keys.addKeyPackages(
          "bob-phone",
          [Uint8Array.of(1), Uint8Array.of(2)],
          Uint8Array.of(9, 0, 255),
          T0,
        );
        expect(await storage.keys.countKeyPackages("bob-phone")).toBe(2);
        const got = [
          await storage.keys.claimKeyPackage("bob-phone"),
          await storage.keys.claimKeyPackage("bob-phone"),
          await storage.keys.claimKeyPackage("bob-phone"),
          await storage.keys.claimKeyPackage("bob-phone"),
        ].map((b) => (b ? [...b] : null));
        expect(got).toEqual([[1], [2], [9, 0, 255], [9, 0, 255]]);
        expect(await storage.keys.countKeyPackages("bob-phone")).toBe(0);
        // A new last resort replaces the old one.
        await storage.keys.addKeyPackages("bob-phone", [], Uint8Array.of(7), T1);
        expect([...((await storage.keys.claimKeyPackage("bob-phone")) ?? [])]).toEqual([7]);
        expect(await storage.keys.claimKeyPackage("nobody-phone")).toBeUndefined();
      });

      it("gives concurrent claimers different one-time packages", async () => {
        await seed(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        const pkgs = Array.from({ length: 10 }, (_, i) => Uint8Array.of(i));
        await storage.keys.addKeyPackages("bob-phone", pkgs, null, T0);
        const claimed = await Promise.all(pkgs.map(() => storage.keys.claimKeyPackage("bob-phone")));
        expect(new Set(claimed.map((b) => b?.[0])).size).toBe(10);
      });

      it("orders commits: the first for an epoch wins, others are stale; welcomes and group info are kept", async () => {
        await seedConversations(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        const [first, rival] = await storage.delivery.append([
          commit("c1", "k1", 0, {
            welcomes: [{ deviceId: "bob-phone", body: Uint8Array.of(5, 5) }],
            groupInfo: Uint8Array.of(4),
          }),
          commit("c1", "k2", 0, { senderId: "bob", senderDeviceId: "bob-phone" }),
        ]);
        expect(entryOf(first)).toMatchObject({ seq: 1, kind: "commit", epoch: 0 });
        expect(rival).toEqual({ ok: false, code: "stale_commit", epoch: 1 });
        const g = await storage.keys.getGroupState("c1");
        expect({ epoch: g?.epoch, info: bytes(g?.groupInfo ?? null) }).toEqual({ epoch: 1, info: [4] });
        expect(
          (await storage.delivery.listWelcomes("bob-phone")).map((w) => ({ ...w, body: [...w.body] })),
        ).toEqual([{ deviceId: "bob-phone", conversationId: "c1", seq: 1, body: [5, 5] }]);
        // A message between commits does not move the epoch; the next commit must name epoch 1.
        await storage.delivery.append([msg("c1", "m1", "bob")]);
        expect(await storage.delivery.append([commit("c1", "k3", 0)])).toEqual([
          { ok: false, code: "stale_commit", epoch: 1 },
        ]);
        expect(entryOf((await storage.delivery.append([commit("c1", "k3", 1)]))[0])).toMatchObject({
          seq: 3,
          epoch: 1,
        });
        expect((await storage.keys.getGroupState("c1"))?.epoch).toBe(2);
        // A resent commit is a duplicate, not a second epoch change.
        expect((await storage.delivery.append([commit("c1", "k3", 1)]))[0]).toMatchObject({
          ok: true,
          duplicate: true,
        });
        expect((await storage.keys.getGroupState("c1"))?.epoch).toBe(2);
        await storage.delivery.deleteWelcomes("bob-phone", "c1");
        expect(await storage.delivery.listWelcomes("bob-phone")).toEqual([]);
        expect(await storage.keys.getGroupState("nowhere")).toBeUndefined();
      });

      it("lets exactly one of many concurrent commits for an epoch win", async () => {
        await seedConversations(storage);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => storage.delivery.append([commit("c1", `race-${i}`, 0)])),
        );
        const winners = results.flat().filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        expect((await storage.keys.getGroupState("c1"))?.epoch).toBe(1);
      });

      it("publishes and replaces a user's archive key record", async () => {
        await seed(storage);
        expect(await storage.keys.getArchiveKey("bob")).toBeNull();
        await storage.keys.setArchiveKey("bob", "rec-1");
        await storage.keys.setArchiveKey("bob", "rec-2");
        expect(await storage.keys.getArchiveKey("bob")).toBe("rec-2");
        expect(await storage.keys.getArchiveKey("alice")).toBeNull();
      });

      it("relays one transfer message per mailbox, to its owner only, until it expires", async () => {
        await seed(storage);
        await storage.keys.createTransfer({ id: "t1", userId: "bob", createdAt: T0, expiresAt: T2 });
        expect(await storage.keys.getTransfer("t1", "bob", T1)).toEqual({
          id: "t1",
          userId: "bob",
          body: null,
          createdAt: T0,
          expiresAt: T2,
        });
        expect(await storage.keys.getTransfer("t1", "alice", T1)).toBeUndefined();
        expect(await storage.keys.putTransfer("t1", "alice", Uint8Array.of(1), T1)).toBe("not_found");
        expect(await storage.keys.putTransfer("t1", "bob", Uint8Array.of(0, 255, 7), T1)).toBe("ok");
        expect(await storage.keys.putTransfer("t1", "bob", Uint8Array.of(2), T1)).toBe("full");
        expect(bytes((await storage.keys.getTransfer("t1", "bob", T1))?.body ?? null)).toEqual([0, 255, 7]);
        // Expired: invisible, refuses a message, and is swept by any delete.
        expect(await storage.keys.getTransfer("t1", "bob", T2)).toBeUndefined();
        await storage.keys.createTransfer({ id: "t2", userId: "bob", createdAt: T0, expiresAt: T1 });
        expect(await storage.keys.putTransfer("t2", "bob", Uint8Array.of(1), T1)).toBe("not_found");
        await storage.keys.createTransfer({ id: "t3", userId: "alice", createdAt: T0, expiresAt: T2 });
        expect(await storage.keys.deleteTransfer("t3", "bob", T1)).toBe(false);
        expect(await storage.keys.deleteTransfer("t1", "bob", T1)).toBe(true);
        expect(await storage.keys.getTransfer("t1", "bob", T0)).toBeUndefined();
        expect(await storage.keys.getTransfer("t2", "bob", T0)).toBeUndefined();
        expect(await storage.keys.getTransfer("t3", "alice", T0)).toMatchObject({ id: "t3" });
      });

      it("lets exactly one of many concurrent transfer puts fill a mailbox", async () => {
        await seed(storage);
        await storage.keys.createTransfer({ id: "t1", userId: "bob", createdAt: T0, expiresAt: T2 });
        const r = await Promise.all(
          Array.from({ length: 6 }, (_, i) => storage.keys.putTransfer("t1", "bob", Uint8Array.of(i), T1)),
        );
        expect(r.filter((x) => x === "ok")).toHaveLength(1);
        expect(r.filter((x) => x === "full")).toHaveLength(5);
      });
    });
  });
}
