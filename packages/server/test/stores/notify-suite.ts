import { describe, expect, it } from "vitest";
import { conversation, type MakeStorage, msg, seed, T0, T1, T2, useStorage } from "./storage-fixtures.ts";

/**
 * The conformance suite of the notify port (`NotifyStore`): settings, recipients with an address,
 * what is unread, the outbox, when an email last went out, unsubscribe tokens.
 */
export function runNotifySuite(makeStorage: MakeStorage) {
  describe("notify store", () => {
    const storage = useStorage(makeStorage);

    it("stores settings, replaces them, and clears an address", async () => {
      await seed(storage);
      expect(await storage.notify.getSettings("bob")).toBeUndefined();
      const s = {
        userId: "bob",
        email: "bob@example.test",
        emailDelayMinutes: 45,
        emailDigest: false,
        quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" },
      };
      await storage.notify.putSettings(s, T0);
      expect(await storage.notify.getSettings("bob")).toEqual(s);
      await storage.notify.putSettings({ ...s, emailDigest: true, quietHours: null }, T1);
      expect(await storage.notify.getSettings("bob")).toEqual({ ...s, emailDigest: true, quietHours: null });
      expect(await storage.notify.clearEmail("bob", T2)).toBe(true);
      expect(await storage.notify.clearEmail("bob", T2)).toBe(false);
      expect((await storage.notify.getSettings("bob"))?.email).toBeNull();
    });

    it("finds recipients with an address and their oldest unread message", async () => {
      await seed(storage);
      await storage.conversations.createConversation(conversation("c1"), ["alice", "bob", "carol"]);
      const put = (userId: string, email: string | null) =>
        storage.notify.putSettings(
          { userId, email, emailDelayMinutes: 30, emailDigest: false, quietHours: null },
          T0,
        );
      await put("bob", "bob@example.test");
      await put("carol", null);
      await put("alice", "alice@example.test");
      expect((await storage.notify.emailRecipients("c1", "alice")).sort()).toEqual(["bob"]);
      expect((await storage.notify.emailRecipients("c1", "bob")).sort()).toEqual(["alice"]);
      expect(await storage.notify.unreadState("bob", "c1")).toEqual({ oldestUnreadAt: null });
      expect(await storage.notify.unreadState("bob", "nope")).toBeUndefined();
      const [a] = await storage.delivery.append([msg("c1", "m1", "alice")]);
      await storage.delivery.append([msg("c1", "m2", "alice"), msg("c1", "m3", "bob")]);
      const first = a?.ok ? a.entry.sentAt : "";
      expect(await storage.notify.unreadState("bob", "c1")).toEqual({ oldestUnreadAt: first });
      // Own messages never count; read up to 2, nothing from others is left.
      await storage.delivery.updateWatermarks([
        { conversationId: "c1", userId: "bob", kind: "read", seq: 2 },
      ]);
      expect(await storage.notify.unreadState("bob", "c1")).toEqual({ oldestUnreadAt: null });
      expect(await storage.notify.roleOf("alice")).toBe("therapist");
      expect(await storage.notify.roleOf("nobody")).toBeUndefined();
    });

    it("keeps an outbox, sent times, and unsubscribe tokens by hash", async () => {
      await seed(storage);
      await storage.notify.addToOutbox("bob", "c2", T0);
      await storage.notify.addToOutbox("bob", "c1", T0);
      await storage.notify.addToOutbox("bob", "c1", T1);
      await storage.notify.addToOutbox("carol", "c1", T0);
      expect(await storage.notify.outbox("bob")).toEqual(["c1", "c2"]);
      await storage.notify.removeFromOutbox("bob", ["c1", "c2"]);
      expect(await storage.notify.outbox("bob")).toEqual([]);
      expect(await storage.notify.outbox("carol")).toEqual(["c1"]);
      expect(await storage.notify.lastSent("bob", "c1")).toBeUndefined();
      await storage.notify.markSent("bob", ["c1", "c2"], T0);
      await storage.notify.markSent("bob", ["c1"], T1);
      expect([
        await storage.notify.lastSent("bob", "c1"),
        await storage.notify.lastSent("bob", "c2"),
      ]).toEqual([T1, T0]);
      await storage.notify.addUnsubscribeToken("h1", "bob", T1);
      expect(await storage.notify.unsubscribeTokenUser("h1", T0)).toBe("bob");
      expect(await storage.notify.unsubscribeTokenUser("h1", T2)).toBeUndefined();
      expect(await storage.notify.unsubscribeTokenUser("h2", T0)).toBeUndefined();
    });
  });
}
