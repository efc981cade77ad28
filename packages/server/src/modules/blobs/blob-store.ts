/**
 * The blob storage port: where encrypted attachment bytes live. The filesystem adapter
 * (`fs/fs-blob-store.ts`) is the default; an object store can implement the same interface for
 * many nodes. Blobs are opaque ciphertext; their metadata (conversation, uploader, size) lives in
 * the {@link BlobMetaStore} (`blob-meta-store.ts`), not here.
 */
export interface BlobStore {
  /**
   * Streams `body` into storage under `id`, refusing it once more than `maxBytes` have arrived.
   * Either the whole blob is stored durably (fsynced) and `{ ok: true, size }` is returned, or
   * nothing is left behind. Rejects only on an I/O failure or when `body` itself errors.
   */
  put(id: string, body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<BlobPutResult>;
  /** A stream of the stored bytes and their length, or undefined when there is no such blob. */
  get(id: string): Promise<{ size: number; stream: AsyncIterable<Uint8Array> } | undefined>;
  /** Removes a blob; no error when it does not exist. */
  delete(id: string): Promise<void>;
  /**
   * Resolves when a blob could be stored now (rejects, with a reason in words, when not): for
   * `/readyz` and `hearth doctor`. Stores nothing that outlives the check.
   */
  check(): Promise<void>;
}

/** Outcome of {@link BlobStore.put}: stored, or over the size limit (nothing stored). */
export type BlobPutResult = { ok: true; size: number } | { ok: false; code: "blob_too_large" };
