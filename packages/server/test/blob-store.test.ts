import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { ManualClock } from "@hearth/client/testing";
import { filesUnder, makeTempDir } from "@hearth/server/testing";
import { describe, expect, it } from "vitest";
import { newBlobId } from "../src/modules/blobs/blob-service.ts";
import { FsBlobStore } from "../src/modules/blobs/fs/fs-blob-store.ts";
import { runBlobStoreSuite } from "./blob-store-suite.ts";

describe("filesystem blob store", () => {
  runBlobStoreSuite("files in a temp dir", async () => {
    const dir = await makeTempDir();
    const root = join(dir.path, "blobs");
    return {
      blobs: new FsBlobStore({ dir: root }),
      contents: async () =>
        filesUnder(root)
          .map((f) => relative(root, f))
          .sort(),
      cleanup: () => dir.remove(),
    };
  });

  it("removes partial uploads a crash left behind, once they are stale, and keeps fresh ones", async () => {
    const dir = await makeTempDir();
    try {
      const root = join(dir.path, "blobs");
      await mkdir(join(root, "tmp"), { recursive: true });
      const old = join(root, "tmp", "crashed.part");
      const fresh = join(root, "tmp", "in-progress.part");
      await writeFile(old, "partial");
      await writeFile(fresh, "partial");
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      await utimes(old, twoHoursAgo, twoHoursAgo);
      const blobs = new FsBlobStore({ dir: root });
      const id = newBlobId();
      expect(
        await blobs.put(
          id,
          (async function* () {
            yield new Uint8Array([1, 2, 3]);
          })(),
          10,
        ),
      ).toEqual({ ok: true, size: 3 });
      const left = filesUnder(root)
        .map((f) => relative(root, f))
        .sort();
      expect(left).toEqual([join(id.slice(4, 6), id), join("tmp", "in-progress.part")].sort());
    } finally {
      await dir.remove();
    }
  });

  it("measures a partial upload's age by its clock", async () => {
    const dir = await makeTempDir();
    try {
      const root = join(dir.path, "blobs");
      await mkdir(join(root, "tmp"), { recursive: true });
      await writeFile(join(root, "tmp", "just-written.part"), "partial");
      // Two hours on, by the store's clock, the file just written is stale.
      const clock = new ManualClock(Date.now());
      clock.advance(2 * 3600_000);
      const blobs = new FsBlobStore({ dir: root, clock });
      const id = newBlobId();
      expect(
        await blobs.put(
          id,
          (async function* () {
            yield new Uint8Array([1]);
          })(),
          10,
        ),
      ).toEqual({ ok: true, size: 1 });
      expect(filesUnder(root).map((f) => relative(root, f))).toEqual([join(id.slice(4, 6), id)]);
    } finally {
      await dir.remove();
    }
  });
});
