import { describe, expect, it } from "vitest";
import { newBlobId } from "../src/modules/blobs/blob-service.ts";
import type { BlobStore } from "../src/modules/blobs/blob-store.ts";

/** A blob store made for one test, and how to take it down again. */
export interface BlobStoreUnderTest {
  blobs: BlobStore;
  /** Names of whatever the adapter holds now (files, objects), to prove nothing was left behind. */
  contents(): Promise<string[]>;
  cleanup(): Promise<void>;
}

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function* failing(after: Uint8Array): AsyncGenerator<Uint8Array> {
  yield after;
  throw new Error("client went away");
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

const bytes = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

/**
 * The conformance suite of the `BlobStore` port: every adapter must pass it. `make` is called once
 * per test and must return an empty store.
 */
export function runBlobStoreSuite(name: string, make: () => Promise<BlobStoreUnderTest>) {
  describe(name, () => {
    const withStore = (fn: (s: BlobStoreUnderTest) => Promise<void>) => async () => {
      const s = await make();
      try {
        await fn(s);
      } finally {
        await s.cleanup();
      }
    };

    it(
      "stores a streamed blob whole and reads it back byte for byte; unknown ids are undefined",
      withStore(async ({ blobs }) => {
        const id = newBlobId();
        const parts = [bytes(70_000), bytes(1), bytes(65_536, 7), new Uint8Array(0)];
        expect(await blobs.put(id, chunks(...parts), 1_000_000)).toEqual({ ok: true, size: 135_537 });
        const got = await blobs.get(id);
        expect(got?.size).toBe(135_537);
        expect(await readAll(got!.stream)).toEqual(new Uint8Array(Buffer.concat(parts)));
        expect(await blobs.get(newBlobId())).toBeUndefined();
      }),
    );

    it(
      "stores an empty blob and one of exactly the limit",
      withStore(async ({ blobs }) => {
        const empty = newBlobId();
        expect(await blobs.put(empty, chunks(), 10)).toEqual({ ok: true, size: 0 });
        expect(await readAll((await blobs.get(empty))!.stream)).toEqual(new Uint8Array(0));
        const full = newBlobId();
        expect(await blobs.put(full, chunks(bytes(6), bytes(4)), 10)).toEqual({ ok: true, size: 10 });
      }),
    );

    it(
      "refuses a blob over the limit and leaves nothing behind",
      withStore(async ({ blobs, contents }) => {
        const before = await contents();
        const id = newBlobId();
        expect(await blobs.put(id, chunks(bytes(6), bytes(5)), 10)).toEqual({
          ok: false,
          code: "blob_too_large",
        });
        expect(await blobs.get(id)).toBeUndefined();
        expect(await contents()).toEqual(before);
      }),
    );

    it(
      "leaves nothing behind when the body fails mid-way, and rethrows",
      withStore(async ({ blobs, contents }) => {
        const before = await contents();
        const id = newBlobId();
        await expect(blobs.put(id, failing(bytes(1000)), 1_000_000)).rejects.toThrow("client went away");
        expect(await blobs.get(id)).toBeUndefined();
        expect(await contents()).toEqual(before);
      }),
    );

    it(
      "keeps concurrent uploads apart",
      withStore(async ({ blobs }) => {
        const ids = Array.from({ length: 8 }, () => newBlobId());
        await Promise.all(ids.map((id, i) => blobs.put(id, chunks(bytes(50_000 + i, i)), 1_000_000)));
        for (const [i, id] of ids.entries()) {
          expect(await readAll((await blobs.get(id))!.stream)).toEqual(bytes(50_000 + i, i));
        }
      }),
    );

    it(
      "deletes a blob; deleting an unknown one is fine",
      withStore(async ({ blobs }) => {
        const id = newBlobId();
        await blobs.put(id, chunks(bytes(10)), 100);
        await blobs.delete(id);
        expect(await blobs.get(id)).toBeUndefined();
        await blobs.delete(id);
      }),
    );

    it(
      "refuses ids it did not make (never a path from outside)",
      withStore(async ({ blobs }) => {
        for (const bad of [
          "../../hearth.db",
          "blb_../../../etc/passwd",
          "blb_short",
          "cnv_AAAAAAAAAAAAAAAAAAAAAA",
        ]) {
          await expect(blobs.put(bad, chunks(bytes(1)), 10), bad).rejects.toThrow();
          await expect(blobs.get(bad), bad).rejects.toThrow();
        }
      }),
    );
  });
}
