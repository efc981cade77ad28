import { describe, expect, it } from "vitest";
import type { BlobRecord } from "../../src/modules/blobs/blob-meta-store.ts";
import {
  del,
  device,
  entryOf,
  type MakeStorage,
  msg,
  type Over,
  seedConversations,
  T1,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the blobs metadata port (`BlobMetaStore`).
 */
export function runBlobMetaSuite(makeStorage: MakeStorage) {
  describe("blob metadata store", () => {
    const storage = useStorage(makeStorage);

    describe("blobs", () => {
      const blob = (id: string, over: Over<BlobRecord> = {}): BlobRecord =>
        ({
          id,
          conversationId: "c1",
          uploaderId: "bob",
          uploaderDeviceId: "bob-phone",
          size: 20 * 1024 * 1024 + 5136,
          createdAt: T1,
          ...over,
        }) as BlobRecord;

      it("round-trips blob metadata; an unknown id is undefined", async () => {
        await seedConversations(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        await storage.auth.createDevice(device("alice-laptop", "alice"));
        await storage.blobs.createBlob(blob("b1"));
        // Sizes past 2^31 survive (bigint on PostgreSQL, returned as a number).
        await storage.blobs.createBlob(
          blob("b2", { uploaderId: "alice", uploaderDeviceId: "alice-laptop", size: 2 ** 33 }),
        );
        expect(await storage.blobs.getBlob("b1")).toEqual(blob("b1"));
        expect(await storage.blobs.getBlob("b2")).toEqual(
          blob("b2", { uploaderId: "alice", uploaderDeviceId: "alice-laptop", size: 2 ** 33 }),
        );
        expect(await storage.blobs.getBlob("nope")).toBeUndefined();
      });

      it("refuses a second blob with the same id, and one for an unknown conversation or device", async () => {
        await seedConversations(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        await storage.blobs.createBlob(blob("b1"));
        await expect(storage.blobs.createBlob(blob("b1", { size: 1 }))).rejects.toThrow();
        await expect(storage.blobs.createBlob(blob("b2", { conversationId: "c-unknown" }))).rejects.toThrow();
        await expect(
          storage.blobs.createBlob(blob("b3", { uploaderDeviceId: "d-unknown" })),
        ).rejects.toThrow();
        expect((await storage.blobs.getBlob("b1"))?.size).toBe(blob("b1").size);
        expect(await storage.blobs.getBlob("b2")).toBeUndefined();
        expect(await storage.blobs.getBlob("b3")).toBeUndefined();
      });

      it("sums the stored bytes of each uploader's blobs; none is 0", async () => {
        await seedConversations(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        await storage.auth.createDevice(device("alice-laptop", "alice"));
        expect(await storage.blobs.storedBlobBytes("bob")).toBe(0);
        await storage.blobs.createBlob(blob("b1", { size: 1000 }));
        await storage.blobs.createBlob(blob("b2", { size: 2 ** 33 }));
        await storage.blobs.createBlob(
          blob("b3", { uploaderId: "alice", uploaderDeviceId: "alice-laptop", size: 7 }),
        );
        expect(await storage.blobs.storedBlobBytes("bob")).toBe(2 ** 33 + 1000);
        expect(await storage.blobs.storedBlobBytes("alice")).toBe(7);
        expect(await storage.blobs.storedBlobBytes("carol")).toBe(0);
      });

      it("rolls a blob back with its transaction", async () => {
        await seedConversations(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        await expect(
          storage.transaction(async (tx) => {
            await tx.blobs.createBlob(blob("b1"));
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        expect(await storage.blobs.getBlob("b1")).toBeUndefined();
      });

      it("a message declares its sender's blobs; a delete for everyone erases the ones no other message declares", async () => {
        await seedConversations(storage);
        await storage.auth.createDevice(device("bob-phone", "bob"));
        await storage.auth.createDevice(device("alice-laptop", "alice"));
        await storage.blobs.createBlob(blob("b1"));
        await storage.blobs.createBlob(blob("b2"));
        await storage.blobs.createBlob(
          blob("b-alice", { uploaderId: "alice", uploaderDeviceId: "alice-laptop" }),
        );
        await storage.blobs.createBlob(
          blob("b-c2", { conversationId: "c2", uploaderId: "alice", uploaderDeviceId: "alice-laptop" }),
        );
        // Not the sender's, another conversation's, unknown: refused, nothing appended.
        for (const bad of [["b-alice"], ["b1", "nope"]]) {
          expect((await storage.delivery.append([{ ...msg("c1", "bad", "bob"), blobIds: bad }]))[0]).toEqual({
            ok: false,
            code: "not_found",
            path: "blobIds",
          });
        }
        expect(
          (await storage.delivery.append([{ ...msg("c1", "bad", "alice"), blobIds: ["b-c2"] }]))[0],
        ).toMatchObject({
          ok: false,
          code: "not_found",
        });
        expect((await storage.conversations.getConversation("c1"))?.lastSeq).toBe(0);
        const [m1, m2] = await storage.delivery.append([
          { ...msg("c1", "m1", "bob"), blobIds: ["b1", "b2", "b1"] },
          { ...msg("c1", "m2", "bob"), blobIds: ["b2"] },
        ]);
        expect([entryOf(m1).seq, entryOf(m2).seq]).toEqual([1, 2]);
        const [d1] = await storage.delivery.append([del("c1", "d1", "bob", "m1")]);
        expect(d1).toMatchObject({ ok: true, erasedBlobIds: ["b1"] });
        expect(await storage.blobs.getBlob("b1")).toBeUndefined();
        expect(await storage.blobs.getBlob("b2")).toBeDefined();
        // A resent delete is a duplicate and erases nothing more.
        expect((await storage.delivery.append([del("c1", "d1", "bob", "m1")]))[0]).toMatchObject({
          duplicate: true,
        });
        const [d2] = await storage.delivery.append([del("c1", "d2", "bob", "m2")]);
        expect(d2).toMatchObject({ ok: true, erasedBlobIds: ["b2"] });
        expect(await storage.blobs.getBlob("b2")).toBeUndefined();
        expect(await storage.blobs.getBlob("b-alice")).toBeDefined();
      });
    });
  });
}
