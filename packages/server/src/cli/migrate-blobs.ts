import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { openPostgresBlobStore } from "../modules/blobs/postgres/postgres-blob-store.ts";
import { blobFile } from "./backup-command.ts";
import { BackupError } from "./backup-error.ts";
import type { Progress } from "./progress.ts";

/** What {@link copyBlobsToPostgres} needs. */
export interface CopyBlobsOptions {
  dataDir: string;
  /** The blob ids the database names (the `blobs` table). */
  ids: readonly string[];
  to: string;
  schema?: string;
  progress: Progress;
}

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const b of stream) {
    h.update(b);
    bytes += b.byteLength;
  }
  return { sha256: h.digest("hex"), bytes };
}

/**
 * `hearth migrate-store --blobs postgres`: copies each blob file the database names into the
 * PostgreSQL blob store, then reads it back and compares its SHA-256 with the file's. A blob already
 * there (an earlier, interrupted run) is only compared, so the command resumes; a blob whose file is
 * gone (deleted for everyone meanwhile) is counted, not an error. The files are left in place.
 */
export async function copyBlobsToPostgres(o: CopyBlobsOptions) {
  const store = await openPostgresBlobStore({
    connectionString: o.to,
    ...(o.schema ? { schema: o.schema } : {}),
  });
  let copied = 0;
  let bytes = 0;
  let gone = 0;
  try {
    for (const [i, id] of o.ids.entries()) {
      const path = blobFile(o.dataDir, id);
      const size = await stat(path).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) {
        gone += 1;
        continue;
      }
      if (!(await store.get(id))) {
        const r = await store.put(id, createReadStream(path), Number.MAX_SAFE_INTEGER);
        if (!r.ok) throw new BackupError("failed", `Blob ${id.slice(0, 10)}… was refused by the target.`);
      }
      const want = await sha256Of(createReadStream(path));
      const stored = await store.get(id);
      const got = stored ? await sha256Of(stored.stream) : undefined;
      if (!got || got.sha256 !== want.sha256 || got.bytes !== want.bytes) {
        throw new BackupError("failed", `Blob ${id.slice(0, 10)}… differs in PostgreSQL from its file.`);
      }
      copied += 1;
      bytes += size;
      o.progress.update("blobs", i + 1, o.ids.length, "files");
    }
  } finally {
    await store.close();
  }
  return { copied, bytes, gone };
}
