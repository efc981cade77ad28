import { describe, expect, it } from "vitest";
import type { BlobRecord } from "../../src/modules/blobs/blob-meta-store.ts";
import {
  device,
  type MakeStorage,
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
    });
  });
}
