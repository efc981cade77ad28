import { describe, expect, it } from "vitest";
import {
  bytes,
  del,
  enc,
  entryOf,
  type MakeStorage,
  msg,
  range,
  seedConversations,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the delivery port (`DeliveryStore`): the ordered log (gap-free
 * seqs, idempotent resends, deletes), paging, receipt watermarks, and all of them under concurrency.
 */
export function runDeliverySuite(makeStorage: MakeStorage) {
  describe("delivery store", () => {
    const storage = useStorage(makeStorage);

    describe("append", () => {
      it("assigns seq 1..n gap-free per conversation, independently, and moves the log head", async () => {
        await seedConversations(storage);
        const r1 = await storage.delivery.append([
          msg("c1", "a", "alice"),
          msg("c2", "x", "alice"),
          msg("c1", "b", "bob"),
        ]);
        const r2 = await storage.delivery.append([msg("c1", "c", "alice")]);
        const r3 = await storage.delivery.append([msg("c2", "y", "carol")]);
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

        const c1 = await storage.conversations.getConversation("c1");
        expect(c1?.lastSeq).toBe(3);
        expect(c1?.lastActivityAt).toBe(entryOf(r2[0]).sentAt);
        expect((await storage.conversations.getConversation("c2"))?.lastSeq).toBe(2);
        // What append answered is what is stored.
        const stored = await storage.delivery.entriesAfter("c1", 0, 10);
        expect(stored.map((e) => ({ ...e, body: bytes(e.body) }))).toEqual(
          [entryOf(r1[0]), entryOf(r1[2]), entryOf(r2[0])].map((e) => ({ ...e, body: bytes(e.body) })),
        );
        expect(await storage.delivery.append([])).toEqual([]);
      });

      it("answers a resend by the same sender with the stored entry, duplicate: true, and takes no seq", async () => {
        await seedConversations(storage);
        const [first] = await storage.delivery.append([msg("c1", "m1", "bob", enc.encode("original"))]);
        await storage.delivery.append([msg("c1", "m2", "alice")]);
        // A resend may come from another device and carry other bytes: the stored message wins.
        const resend = { ...msg("c1", "m1", "bob", enc.encode("resent")), senderDeviceId: "bob-laptop" };
        const [again] = await storage.delivery.append([resend]);
        expect(again?.ok && again.duplicate).toBe(true);
        const e = entryOf(again);
        expect({ ...e, body: bytes(e.body) }).toEqual({
          ...entryOf(first),
          body: [...enc.encode("original")],
        });
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(2);
        expect(await storage.delivery.entriesAfter("c1", 0, 10)).toHaveLength(2);
      });

      it("scopes message ids to their conversation", async () => {
        await seedConversations(storage);
        const [a, b] = await storage.delivery.append([
          msg("c1", "same-id", "alice"),
          msg("c2", "same-id", "alice"),
        ]);
        expect(a?.ok && !a.duplicate && a.entry.seq === 1).toBe(true);
        expect(b?.ok && !b.duplicate && b.entry.seq === 1).toBe(true);
      });

      it("refuses the same message id from another sender, or as another kind, as a conflict", async () => {
        await seedConversations(storage);
        await storage.delivery.append([msg("c1", "m1", "bob")]);
        expect(await storage.delivery.append([msg("c1", "m1", "alice")])).toEqual([
          { ok: false, code: "message_conflict" },
        ]);
        expect(await storage.delivery.append([del("c1", "m1", "bob", "m1")])).toEqual([
          { ok: false, code: "message_conflict" },
        ]);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(1);
        const [e] = await storage.delivery.entriesAfter("c1", 0, 10);
        expect(e).toMatchObject({ senderId: "bob", kind: "message", deleted: false });
      });

      it("deletes: appends a tombstone with the next seq, erases the target's body and marks it deleted", async () => {
        await seedConversations(storage);
        await storage.delivery.append([msg("c1", "m1", "bob"), msg("c1", "m2", "bob")]);
        const [d] = await storage.delivery.append([del("c1", "d1", "bob", "m1")]);
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
        const [m1, m2, t] = await storage.delivery.entriesAfter("c1", 0, 10);
        expect(m1).toMatchObject({ seq: 1, messageId: "m1", kind: "message", body: null, deleted: true });
        expect(m2).toMatchObject({ seq: 2, messageId: "m2", deleted: false });
        expect(bytes(m2?.body ?? null)).toEqual([...enc.encode("ciphertext of m2")]);
        expect(t).toMatchObject({ seq: 3, kind: "delete", target: "m1", body: null, deleted: false });
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(3);

        // Resending the delete is a duplicate, not a second tombstone.
        const [again] = await storage.delivery.append([del("c1", "d1", "bob", "m1")]);
        expect(again?.ok && again.duplicate && again.entry.seq === 3).toBe(true);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(3);
      });

      it("refuses to delete someone else's message, an unknown one, or a tombstone; stores nothing", async () => {
        await seedConversations(storage);
        await storage.delivery.append([msg("c1", "m1", "bob"), del("c1", "d0", "alice", "m1")]);
        // (alice's delete above was refused; bob's message is still there)
        expect(await storage.delivery.append([del("c1", "d1", "alice", "m1")])).toEqual([
          { ok: false, code: "not_sender" },
        ]);
        expect(await storage.delivery.append([del("c1", "d2", "bob", "missing")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        expect(await storage.delivery.append([del("c1", "d3", "bob", "m1-in-c2")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        await storage.delivery.append([msg("c2", "m1-in-c2", "carol")]);
        expect(await storage.delivery.append([del("c1", "d4", "carol", "m1-in-c2")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        await storage.delivery.append([del("c1", "d5", "bob", "m1")]);
        expect(await storage.delivery.append([del("c1", "d6", "bob", "d5")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        // A second tombstone for an already-deleted message (new tombstone id) is refused too.
        expect(await storage.delivery.append([del("c1", "d7", "bob", "m1")])).toEqual([
          { ok: false, code: "not_found" },
        ]);

        const entries = await storage.delivery.entriesAfter("c1", 0, 10);
        expect(entries.map((e) => e.messageId)).toEqual(["m1", "d5"]);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(2);
      });

      it("refuses an unknown conversation and takes no seq anywhere", async () => {
        await seedConversations(storage);
        expect(await storage.delivery.append([msg("nowhere", "m1", "bob")])).toEqual([
          { ok: false, code: "not_found" },
        ]);
        expect(await storage.delivery.entriesAfter("nowhere", 0, 10)).toEqual([]);
        expect(await storage.conversations.getConversation("nowhere")).toBeUndefined();
        expect((await storage.delivery.append([msg("c1", "m1", "bob")])).map((r) => entryOf(r).seq)).toEqual([
          1,
        ]);
      });

      it("answers every request of a mixed batch, in order, in one call", async () => {
        await seedConversations(storage);
        await storage.delivery.append([msg("c1", "old", "bob")]); // c1 seq 1
        const results = await storage.delivery.append([
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
        const c1 = await storage.delivery.entriesAfter("c1", 0, 10);
        expect(c1.map((e) => [e.seq, e.messageId, e.deleted])).toEqual([
          [1, "old", true],
          [2, "new1", false],
          [3, "del-old", false],
          [4, "new2", false],
        ]);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(4);
        expect((await storage.conversations.getConversation("c2"))?.lastSeq).toBe(1);
      });

      it("round-trips body bytes exactly: every byte value, NUL and 0xFF runs, empty, null", async () => {
        await seedConversations(storage);
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
        await storage.delivery.append(reqs);
        const stored = await storage.delivery.entriesAfter("c1", 0, 100);
        expect(stored.map((e) => bytes(e.body))).toEqual(bodies.map(bytes));
        for (const e of stored) if (e.body !== null) expect(e.body).toBeInstanceOf(Uint8Array);
        // The copy a resend gets back is read from the store too.
        const again = await storage.delivery.append(reqs);
        expect(again.map((r) => bytes(entryOf(r).body))).toEqual(bodies.map(bytes));
      });
    });
    describe("entriesAfter", () => {
      it("pages in seq order from `after`, at most `limit`, only the asked conversation", async () => {
        await seedConversations(storage);
        await storage.delivery.append(range(7).map((n) => msg("c1", `m${n}`, n % 2 ? "alice" : "bob")));
        await storage.delivery.append([msg("c2", "other", "carol")]);
        const seqs = async (after: number, limit: number) =>
          (await storage.delivery.entriesAfter("c1", after, limit)).map((e) => e.seq);
        expect(await seqs(0, 3)).toEqual([1, 2, 3]);
        expect(await seqs(3, 3)).toEqual([4, 5, 6]);
        expect(await seqs(6, 3)).toEqual([7]);
        expect(await seqs(7, 3)).toEqual([]);
        expect(await seqs(0, 100)).toEqual(range(7));
        expect((await storage.delivery.entriesAfter("c1", 4, 1))[0]?.messageId).toBe("m5");
        expect((await storage.delivery.entriesAfter("c2", 0, 10)).map((e) => e.messageId)).toEqual(["other"]);
        expect(await storage.delivery.entriesAfter("missing", 0, 10)).toEqual([]);
      });
    });
    describe("watermarks", () => {
      it("moves watermarks forward only and returns the moved ones in the given order", async () => {
        await seedConversations(storage);
        const u = (conversationId: string, userId: string, kind: "delivered" | "read", seq: number) => ({
          conversationId,
          userId,
          kind,
          seq,
        });
        expect(await storage.delivery.updateWatermarks([])).toEqual([]);
        const batch = [
          u("c2", "carol", "read", 2),
          u("c1", "bob", "delivered", 5),
          u("c1", "alice", "read", 3),
          u("c1", "bob", "read", 4),
          u("c1", "carol", "read", 9), // not a member
          u("missing", "bob", "read", 1),
        ];
        expect(await storage.delivery.updateWatermarks(batch)).toEqual(batch.slice(0, 4));

        const moved = await storage.delivery.updateWatermarks([
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
        const members = await storage.conversations.listMembers("c1");
        expect(members.find((m) => m.userId === "bob")).toMatchObject({ deliveredSeq: 5, readSeq: 6 });
        expect(members.find((m) => m.userId === "alice")).toMatchObject({ deliveredSeq: 2, readSeq: 3 });
        expect(
          (await storage.conversations.listMembers("c2")).find((m) => m.userId === "carol"),
        ).toMatchObject({
          deliveredSeq: 0,
          readSeq: 2,
          sharedReadSeq: 2,
        });

        // A private read moves the member's own marker only; sharing later catches the other up.
        expect(
          await storage.delivery.updateWatermarks([{ ...u("c1", "bob", "read", 8), private: true }]),
        ).toHaveLength(1);
        const bob = async () =>
          (await storage.conversations.listMembers("c1")).find((m) => m.userId === "bob");
        expect(await bob()).toMatchObject({ readSeq: 8, sharedReadSeq: 6 });
        expect(await storage.delivery.updateWatermarks([u("c1", "bob", "read", 7)])).toHaveLength(1);
        expect(await bob()).toMatchObject({ readSeq: 8, sharedReadSeq: 7 });
        expect(await storage.delivery.updateWatermarks([u("c1", "bob", "read", 7)])).toEqual([]);
      });
    });
    describe("concurrency", () => {
      it("gives 20 parallel appends into one conversation seqs 1..20, no gaps, no duplicates", async () => {
        await seedConversations(storage);
        const results = await Promise.all(
          range(20).map((n) => storage.delivery.append([msg("c1", `m${n}`, "bob")])),
        );
        const seqOf = new Map(results.map((r) => [entryOf(r[0]).messageId, entryOf(r[0]).seq]));
        expect([...seqOf.values()].sort((a, b) => a - b)).toEqual(range(20));
        const stored = await storage.delivery.entriesAfter("c1", 0, 100);
        expect(stored.map((e) => e.seq)).toEqual(range(20));
        for (const e of stored) expect(seqOf.get(e.messageId)).toBe(e.seq);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(20);
      });

      it("commits parallel batches that touch two conversations in opposite orders", async () => {
        await seedConversations(storage);
        const batches = range(16).map((n) =>
          n % 2
            ? [msg("c1", `a${n}`, "alice"), msg("c2", `a${n}`, "alice")]
            : [msg("c2", `b${n}`, "alice"), msg("c1", `b${n}`, "alice")],
        );
        const results = await Promise.all(batches.map((b) => storage.delivery.append(b)));
        expect(results.flat().every((r) => r.ok && !r.duplicate)).toBe(true);
        for (const c of ["c1", "c2"]) {
          expect((await storage.delivery.entriesAfter(c, 0, 100)).map((e) => e.seq)).toEqual(range(16));
        }
      });

      it("stores a message resent in parallel once; every caller gets that entry", async () => {
        await seedConversations(storage);
        const results = await Promise.all(
          range(10).map(() => storage.delivery.append([msg("c1", "m1", "bob")])),
        );
        const entries = results.map((r) => entryOf(r[0]));
        expect(new Set(entries.map((e) => e.seq))).toEqual(new Set([1]));
        expect(results.filter((r) => r[0]?.ok && !r[0].duplicate)).toHaveLength(1);
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(1);
        expect(await storage.delivery.entriesAfter("c1", 0, 10)).toHaveLength(1);
      });

      it("ends parallel watermark moves at the highest seq, whatever the order", async () => {
        await seedConversations(storage);
        const seqs = [7, 3, 12, 1, 9, 12, 5, 11, 2, 8];
        const up = (userId: string, seq: number) => ({
          conversationId: "c1",
          userId,
          kind: "read" as const,
          seq,
        });
        await Promise.all(
          seqs.map((s, i) =>
            storage.delivery.updateWatermarks(
              i % 2 ? [up("alice", s), up("bob", s)] : [up("bob", s), up("alice", s)],
            ),
          ),
        );
        const members = await storage.conversations.listMembers("c1");
        expect(members.map((m) => m.readSeq)).toEqual([12, 12]);
      });
    });
  });
}
