import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isBlobId } from "@hearth/protocol";
import { type Clock, systemClock } from "../../../clock.ts";
import type { BlobPutResult, BlobStore } from "../blob-store.ts";

/** Options of {@link FsBlobStore}. */
export interface FsBlobStoreOptions {
  /** Directory the blobs live in (created on first write, mode 0700), e.g. `${HEARTH_DATA_DIR}/blobs`. */
  dir: string;
  /**
   * Partial uploads left in `dir/tmp` by a crash are removed on the first upload after start once
   * they are older than this (default 1 hour: longer than any live upload, and safe when several
   * nodes share the directory).
   */
  staleTempMs?: number;
  /**
   * The clock an upload's age is measured by (default the system clock). It is compared with the
   * files' modification times, so it must keep the filesystem's time; a test may move it forward.
   */
  clock?: Clock;
}

/**
 * The default {@link BlobStore}: one file per blob under `dir`, fanned out by two characters of the
 * id (`dir/ab/blb_ab…`). A blob is streamed into `dir/tmp/`, fsynced, then renamed into place (and
 * the directory fsynced), so a crash leaves either the whole blob or none of it — never a truncated
 * file under its id. File names come only from server-made ids, checked again here: nothing a client
 * sends ever becomes part of a path.
 *
 * @example
 * const blobs = new FsBlobStore({ dir: join(dataDir, "blobs") });
 * const r = await blobs.put(newBlobId(), request.raw, 25 * 1024 * 1024); // any AsyncIterable<Uint8Array>
 */
export class FsBlobStore implements BlobStore {
  readonly #dir: string;
  readonly #tmp: string;
  readonly #staleTempMs: number;
  readonly #clock: Clock;
  #swept: Promise<void> | undefined;

  constructor(options: FsBlobStoreOptions) {
    this.#dir = options.dir;
    this.#tmp = join(options.dir, "tmp");
    this.#staleTempMs = options.staleTempMs ?? 3600_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** Removes partial uploads a crash left behind (see {@link FsBlobStoreOptions.staleTempMs}). */
  async #sweep() {
    const cutoff = this.#clock.now() - this.#staleTempMs;
    for (const name of await readdir(this.#tmp)) {
      if (!name.endsWith(".part")) continue;
      const path = join(this.#tmp, name);
      const s = await stat(path).catch(() => undefined);
      if (s && s.mtimeMs < cutoff) await rm(path, { force: true });
    }
  }

  #pathOf(id: string): { dir: string; file: string } {
    // A broken invariant, not user input: ids are made by the server and validated at the route.
    if (!isBlobId(id)) throw new Error("FsBlobStore: not a blob id");
    const dir = join(this.#dir, id.slice(4, 6));
    return { dir, file: join(dir, id) };
  }

  async check(): Promise<void> {
    // A write and a remove in the upload folder: what an upload does first (permissions, a full or
    // read-only disk, a missing mount all fail here).
    await mkdir(this.#tmp, { recursive: true, mode: 0o700 });
    const probe = join(this.#tmp, `${randomUUID()}.probe`);
    try {
      await writeFile(probe, "");
    } finally {
      await rm(probe, { force: true });
    }
  }

  async put(id: string, body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<BlobPutResult> {
    const target = this.#pathOf(id);
    await mkdir(this.#tmp, { recursive: true, mode: 0o700 });
    // Best effort: a failed sweep must not block uploads.
    this.#swept ??= this.#sweep().catch(() => undefined);
    await this.#swept;
    const tmp = join(this.#tmp, `${randomUUID()}.part`);
    const fh = await open(tmp, "wx", 0o600);
    let closed = false;
    let committed = false;
    try {
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > maxBytes) return { ok: false, code: "blob_too_large" };
        let off = 0;
        while (off < chunk.byteLength) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
          off += bytesWritten;
        }
      }
      await fh.sync();
      await fh.close();
      closed = true;
      await mkdir(target.dir, { recursive: true, mode: 0o700 });
      await rename(tmp, target.file);
      committed = true;
      await syncDir(target.dir);
      return { ok: true, size };
    } finally {
      if (!closed) await fh.close().catch(() => undefined);
      if (!committed) await rm(tmp, { force: true });
    }
  }

  async get(id: string) {
    const { file } = this.#pathOf(id);
    try {
      const s = await stat(file);
      return { size: s.size, stream: createReadStream(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async delete(id: string) {
    await rm(this.#pathOf(id).file, { force: true });
  }
}

/** Makes a rename durable: fsync the directory that holds the new name (POSIX; a no-op elsewhere). */
async function syncDir(dir: string) {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (err) {
    // Windows cannot open or fsync a directory; its rename is already durable enough there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL") throw err;
  } finally {
    await fh?.close();
  }
}
