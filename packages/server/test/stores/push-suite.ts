import { describe, expect, it } from "vitest";
import type { PushSubscriptionRecord } from "../../src/modules/push/push-store.ts";
import {
  device,
  type MakeStorage,
  type Over,
  seedConversations,
  T1,
  T2,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the push port (`PushStore`).
 */
export function runPushSuite(makeStorage: MakeStorage) {
  describe("push store", () => {
    const storage = useStorage(makeStorage);

    const sub = (deviceId: string, userId: string, over: Over<PushSubscriptionRecord> = {}) =>
      ({
        deviceId,
        userId,
        endpoint: `https://push.example/${deviceId}`,
        p256dh: `key-${deviceId}`,
        auth: `auth-${deviceId}`,
        aliasKey: `alias-${deviceId}`,
        showSender: false,
        createdAt: T1,
        ...over,
      }) as PushSubscriptionRecord;

    const seed = async () => {
      await seedConversations(storage);
      for (const [d, u] of [
        ["alice-phone", "alice"],
        ["bob-phone", "bob"],
        ["bob-laptop", "bob"],
        ["carol-phone", "carol"],
      ] as const) {
        await storage.auth.createDevice(device(d, u));
      }
    };

    it("keeps one subscription per device; a new one replaces it", async () => {
      await seed();
      expect(await storage.push.anySubscriptions()).toBe(false);
      await storage.push.putSubscription(sub("bob-phone", "bob"));
      await storage.push.putSubscription(
        sub("bob-phone", "bob", { endpoint: "https://push.example/new", showSender: true, createdAt: T2 }),
      );
      expect(await storage.push.getSubscription("bob-phone")).toEqual(
        sub("bob-phone", "bob", { endpoint: "https://push.example/new", showSender: true, createdAt: T2 }),
      );
      expect(await storage.push.getSubscription("bob-laptop")).toBeUndefined();
      expect(await storage.push.anySubscriptions()).toBe(true);
    });

    it("deletes by device, and by device and endpoint only while the endpoint is the same", async () => {
      await seed();
      await storage.push.putSubscription(sub("bob-phone", "bob"));
      await storage.push.deleteSubscriptionIfEndpoint("bob-phone", "https://push.example/other");
      expect(await storage.push.getSubscription("bob-phone")).toBeDefined();
      await storage.push.deleteSubscriptionIfEndpoint("bob-phone", "https://push.example/bob-phone");
      expect(await storage.push.getSubscription("bob-phone")).toBeUndefined();
      await storage.push.putSubscription(sub("bob-phone", "bob"));
      expect(await storage.push.deleteSubscription("bob-phone")).toBe(true);
      expect(await storage.push.deleteSubscription("bob-phone")).toBe(false);
    });

    it("lists the other members' subscriptions of live devices in a conversation", async () => {
      await seed();
      for (const [d, u] of [
        ["alice-phone", "alice"],
        ["bob-phone", "bob"],
        ["bob-laptop", "bob"],
        ["carol-phone", "carol"],
      ] as const) {
        await storage.push.putSubscription(sub(d, u));
      }
      await storage.auth.revokeDevice("bob", "bob-laptop", T2);
      // c1 is alice and bob; alice sends: bob's live device only (not carol, not the revoked one).
      const subs = await storage.push.subscriptionsForConversation("c1", "alice");
      expect(subs.map((s) => s.deviceId)).toEqual(["bob-phone"]);
      expect((await storage.push.subscriptionsForConversation("c1", "bob")).map((s) => s.deviceId)).toEqual([
        "alice-phone",
      ]);
      // A check-in reminder goes to the patient's own live devices.
      expect((await storage.push.subscriptionsForUser("bob")).map((s) => s.deviceId)).toEqual(["bob-phone"]);
      expect(await storage.push.subscriptionsForUser("dave")).toEqual([]);
    });

    it("lists a user's subscriptions of live devices (appointment reminders)", async () => {
      await seed();
      for (const [d, u] of [
        ["alice-phone", "alice"],
        ["bob-phone", "bob"],
        ["bob-laptop", "bob"],
      ] as const) {
        await storage.push.putSubscription(sub(d, u));
      }
      expect((await storage.push.subscriptionsForUser("bob")).map((s) => s.deviceId).sort()).toEqual([
        "bob-laptop",
        "bob-phone",
      ]);
      await storage.auth.revokeDevice("bob", "bob-laptop", T2);
      expect((await storage.push.subscriptionsForUser("bob")).map((s) => s.deviceId)).toEqual(["bob-phone"]);
      expect(await storage.push.subscriptionsForUser("carol")).toEqual([]);
    });
  });
}
