import { describe, expect, it } from "vitest";
import {
  bytes,
  conversation,
  del,
  enc,
  entryOf,
  type MakeStorage,
  msg,
  seed,
  seedConversations,
  T0,
  T1,
  user,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the `Storage` aggregate: writes through several ports in one
 * transaction commit or roll back together.
 */
export function runStorageSuite(makeStorage: MakeStorage) {
  describe("storage transactions", () => {
    const storage = useStorage(makeStorage);

    describe("transactions", () => {
      it("commits what the callback did through tx, and returns its value", async () => {
        await seed(storage);
        const value = await storage.transaction(async (tx) => {
          await tx.conversations.createConversation(conversation("c1"), ["alice", "bob"]);
          await tx.delivery.append([msg("c1", "m1", "bob")]);
          await tx.auth.setMeta("k", "v");
          // A nested transaction joins the outer one.
          await tx.transaction((inner) =>
            inner.audit.appendAudit({ at: T1, actorId: null, action: "a", subject: null }, () => "h"),
          );
          return 42;
        });
        expect(value).toBe(42);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(1);
        expect(await storage.delivery.entriesAfter("c1", 0, 10)).toHaveLength(1);
        expect(await storage.auth.getMeta("k")).toBe("v");
        expect(await storage.audit.listAudit(0, 10)).toHaveLength(1);
      });

      it("rolls back everything when the callback throws, and rethrows its error", async () => {
        await seedConversations(storage);
        await storage.delivery.append([msg("c1", "before", "bob")]);
        const boom = new Error("boom");
        await expect(
          storage.transaction(async (tx) => {
            await tx.auth.createPractice({ id: "p2", name: "Two", createdAt: T0 });
            await tx.auth.createUser(user("dora", { practiceId: "p2" }));
            await tx.auth.setMeta("k", "v");
            await tx.delivery.append([msg("c1", "m1", "bob"), del("c1", "d1", "bob", "before")]);
            await tx.delivery.updateWatermarks([
              { conversationId: "c1", userId: "alice", kind: "read", seq: 2 },
            ]);
            await tx.audit.appendAudit({ at: T1, actorId: null, action: "a", subject: null }, () => "h");
            await tx.auth.updateUser("bob", { failedLogins: 9 });
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await storage.auth.getPractice("p2")).toBeUndefined();
        expect(await storage.auth.getUser("dora")).toBeUndefined();
        expect(await storage.auth.getMeta("k")).toBeUndefined();
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(1);
        const entries = await storage.delivery.entriesAfter("c1", 0, 10);
        expect(entries.map((e) => [e.messageId, e.deleted])).toEqual([["before", false]]);
        expect(bytes(entries[0]?.body ?? null)).toEqual([...enc.encode("ciphertext of before")]);
        expect(
          (await storage.conversations.listMembers("c1")).find((m) => m.userId === "alice")?.readSeq,
        ).toBe(0);
        expect(await storage.audit.listAudit(0, 10)).toEqual([]);
        expect((await storage.auth.getUser("bob"))?.failedLogins).toBe(0);
        // The store is still usable, and the seq the rolled-back append took is free again.
        expect((await storage.delivery.append([msg("c1", "m1", "bob")])).map((r) => entryOf(r).seq)).toEqual([
          2,
        ]);
      });
    });
  });
}
