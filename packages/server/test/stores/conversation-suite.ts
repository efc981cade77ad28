import { describe, expect, it } from "vitest";
import {
  conversation,
  del,
  entryOf,
  type MakeStorage,
  msg,
  seed,
  seedConversations,
  T0,
  T1,
  T2,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the conversations port (`ConversationStore`): conversations,
 * members, memberships, contacts and the conversation list.
 */
export function runConversationSuite(makeStorage: MakeStorage) {
  describe("conversation store", () => {
    const storage = useStorage(makeStorage);

    describe("conversations", () => {
      it("stores a conversation with its members, each once", async () => {
        await seed(storage);
        const c = conversation("c1", { kind: "direct", lastActivityAt: T1 });
        await storage.conversations.createConversation(c, ["alice", "bob", "alice"]);
        expect(await storage.conversations.getConversation("c1")).toEqual(c);
        expect(await storage.conversations.getConversation("missing")).toBeUndefined();
        expect(await storage.conversations.listMembers("c1")).toHaveLength(2);
      });

      it("answers membership, members, memberships and contacts", async () => {
        await seedConversations(storage);
        expect(await storage.conversations.isMember("c1", "bob")).toBe(true);
        expect(await storage.conversations.isMember("c1", "carol")).toBe(false);
        expect(await storage.conversations.isMember("missing", "bob")).toBe(false);

        const members = await storage.conversations.listMembers("c1");
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
        expect(await storage.conversations.listMembers("missing")).toEqual([]);

        await storage.delivery.append([msg("c1", "m1", "bob"), msg("c1", "m2", "alice")]);
        const memberships = await storage.conversations.listMemberships("alice");
        expect([...memberships].sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1))).toEqual([
          { conversationId: "c1", lastSeq: 2 },
          { conversationId: "c2", lastSeq: 0 },
        ]);
        expect(await storage.conversations.listMemberships("bob")).toEqual([
          { conversationId: "c1", lastSeq: 2 },
        ]);
        expect(await storage.conversations.listMemberships("nobody")).toEqual([]);

        expect([...(await storage.conversations.listContacts("alice"))].sort()).toEqual(["bob", "carol"]);
        expect(await storage.conversations.listContacts("bob")).toEqual(["alice"]);
        await storage.conversations.createConversation(conversation("c3"), ["alice", "bob", "carol"]);
        expect([...(await storage.conversations.listContacts("bob"))].sort()).toEqual(["alice", "carol"]);
        expect(await storage.conversations.listContacts("nobody")).toEqual([]);
      });

      it("lists a member's conversations newest activity first", async () => {
        await seed(storage);
        await storage.conversations.createConversation(conversation("old", { lastActivityAt: T0 }), [
          "alice",
          "bob",
        ]);
        await storage.conversations.createConversation(conversation("new", { lastActivityAt: T1 }), [
          "alice",
          "carol",
        ]);
        await storage.conversations.createConversation(conversation("not-mine", { lastActivityAt: T2 }), [
          "bob",
          "carol",
        ]);
        expect((await storage.conversations.listConversationViews("alice")).map((v) => v.id)).toEqual([
          "new",
          "old",
        ]);
        // An append is activity now, which is later than any fixed time above.
        await storage.delivery.append([msg("old", "m1", "bob")]);
        const views = await storage.conversations.listConversationViews("alice");
        expect(views.map((v) => v.id)).toEqual(["old", "new"]);
        expect(views[0]?.lastSeq).toBe(1);
        expect(views[0]?.members.map((m) => m.userId).sort()).toEqual(["alice", "bob"]);
        expect(await storage.conversations.listConversationViews("nobody")).toEqual([]);
      });

      it("counts unread: others' live messages above the read watermark only", async () => {
        await seedConversations(storage);
        const r = await storage.delivery.append([
          msg("c1", "m1", "bob"), // 1
          msg("c1", "m2", "bob"), // 2
          msg("c1", "m3", "bob"), // 3
          msg("c1", "m4", "alice"), // 4: alice's own
          del("c1", "d2", "bob", "m2"), // 5: tombstone; m2 is deleted
          msg("c1", "m6", "bob"), // 6
        ]);
        expect(r.map((x) => entryOf(x).seq)).toEqual([1, 2, 3, 4, 5, 6]);
        const view = async (userId: string, id: string) =>
          (await storage.conversations.listConversationViews(userId)).find((v) => v.id === id);

        expect(await view("alice", "c1")).toMatchObject({ id: "c1", lastSeq: 6, readSeq: 0, unread: 3 });
        expect(await view("bob", "c1")).toMatchObject({ readSeq: 0, unread: 1 });
        expect(await view("alice", "c2")).toMatchObject({ lastSeq: 0, unread: 0 });

        await storage.delivery.updateWatermarks([
          { conversationId: "c1", userId: "alice", kind: "read", seq: 3 },
        ]);
        expect(await view("alice", "c1")).toMatchObject({ readSeq: 3, unread: 1 });
        // The delivered watermark does not count as read.
        await storage.delivery.updateWatermarks([
          { conversationId: "c1", userId: "alice", kind: "delivered", seq: 6 },
        ]);
        expect(await view("alice", "c1")).toMatchObject({ readSeq: 3, unread: 1 });
        await storage.delivery.updateWatermarks([
          { conversationId: "c1", userId: "alice", kind: "read", seq: 6 },
        ]);
        expect(await view("alice", "c1")).toMatchObject({ readSeq: 6, unread: 0 });
        const members = (await view("alice", "c1"))?.members;
        expect(members?.find((m) => m.userId === "alice")).toMatchObject({ deliveredSeq: 6, readSeq: 6 });
      });
    });
  });
}
