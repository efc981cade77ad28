import { createHash } from "node:crypto";
import { AT_REST_KEY_FILE } from "../storage/at-rest/at-rest-key.ts";
import type { EncryptedWriter } from "./backup-crypto.ts";
import { BackupError } from "./backup-error.ts";

/**
 * The plaintext inside the container: entries `u16 name length | name | u32 high, u32 low size |
 * bytes`, then an empty name that ends the archive. The last entry is `manifest.json`
 * ({@link BackupManifest}), written once every other entry's hash is known.
 */
export const MANIFEST = "manifest.json";

/** What a backup holds, and what verify and restore compare against. */
export interface BackupManifest {
  format: 1;
  createdAt: string;
  /**
   * The database snapshot: its file (the SQLite database, or PostgreSQL's rows as JSON lines), size
   * and SHA-256, and rows per table; for PostgreSQL also each table's content hash and the schema
   * migrations applied, which a restore checks.
   */
  database:
    | { kind: "sqlite"; file: string; bytes: number; sha256: string; rows: Record<string, number> }
    | {
        kind: "postgres";
        file: string;
        bytes: number;
        sha256: string;
        rows: Record<string, number>;
        digests: Record<string, string>;
        migrations: string[];
      };
  /** Blob files: count, bytes, and per file its archive path, size and SHA-256. */
  blobs: { count: number; bytes: number; files: { path: string; bytes: number; sha256: string }[] };
  /** Blobs the snapshot names whose files were deleted (a delete for everyone) before they were read. */
  blobsGoneDuringBackup: number;
  /**
   * The data directory's at-rest key file (`at-rest.key`), when the database is encrypted at rest
   * with one: restored with it, so the restored server opens its database. Absent when the key comes
   * from `HEARTH_AT_REST_KEY` (the operator keeps that one) or encryption at rest is off.
   */
  atRestKey?: { path: string; bytes: number; sha256: string };
}

/** Writes entries into an encrypted container, hashing each. */
export class ArchiveWriter {
  readonly #out: EncryptedWriter;
  constructor(out: EncryptedWriter) {
    this.#out = out;
  }

  /** One entry from a stream of known total size; resolves with its SHA-256 (hex). */
  async entry(
    name: string,
    size: number,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    onBytes?: (n: number) => void,
  ) {
    const nameBytes = Buffer.from(name, "utf8");
    const head = Buffer.alloc(2 + nameBytes.byteLength + 8);
    head.writeUInt16BE(nameBytes.byteLength, 0);
    nameBytes.copy(head, 2);
    head.writeUInt32BE(Math.floor(size / 2 ** 32), 2 + nameBytes.byteLength);
    head.writeUInt32BE(size % 2 ** 32, 6 + nameBytes.byteLength);
    await this.#out.write(head);
    const hash = createHash("sha256");
    let seen = 0;
    for await (const chunk of body) {
      seen += chunk.byteLength;
      if (seen > size) throw new BackupError("failed", `${name} grew while it was being read.`);
      hash.update(chunk);
      await this.#out.write(chunk);
      onBytes?.(chunk.byteLength);
    }
    if (seen !== size) throw new BackupError("failed", `${name} shrank while it was being read.`);
    return hash.digest("hex");
  }

  /** Writes the manifest and the end mark, and seals the last record. */
  async finish(manifest: BackupManifest) {
    const json = Buffer.from(JSON.stringify(manifest, null, 1), "utf8");
    await this.entry(MANIFEST, json.byteLength, [json]);
    const end = Buffer.alloc(2);
    await this.#out.write(end);
    await this.#out.finish();
  }
}

/** Pulls exact byte counts out of a stream of decrypted chunks. */
class PullReader {
  readonly #chunks: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  constructor(chunks: AsyncIterator<Buffer>) {
    this.#chunks = chunks;
  }
  async #fill(n: number) {
    while (this.#buf.byteLength < n) {
      const r = await this.#chunks.next();
      if (r.done) throw new BackupError("truncated", "The backup's contents end in the middle of a file.");
      this.#buf = this.#buf.byteLength === 0 ? r.value : Buffer.concat([this.#buf, r.value]);
    }
  }
  async read(n: number): Promise<Buffer> {
    await this.#fill(n);
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
  /** Up to `max` bytes (at least one). */
  async some(max: number): Promise<Buffer> {
    await this.#fill(1);
    const n = Math.min(max, this.#buf.byteLength);
    return this.read(n);
  }
  async end() {
    const r = await this.#chunks.next();
    if (this.#buf.byteLength > 0 || !r.done)
      throw new BackupError("damaged", "The backup has data after its end mark.");
  }
}

/** One entry as read back: its name, size and a stream of its bytes (read it fully before the next). */
export interface ArchiveEntry {
  name: string;
  size: number;
  body: AsyncGenerator<Buffer>;
}

/** Reads the entries of a decrypted archive, in order; the end mark ends the iteration. */
export async function* readEntries(chunks: AsyncIterator<Buffer>): AsyncGenerator<ArchiveEntry> {
  const r = new PullReader(chunks);
  for (;;) {
    const nameLen = (await r.read(2)).readUInt16BE(0);
    if (nameLen === 0) {
      await r.end();
      return;
    }
    const name = (await r.read(nameLen)).toString("utf8");
    const sizeBytes = await r.read(8);
    const size = sizeBytes.readUInt32BE(0) * 2 ** 32 + sizeBytes.readUInt32BE(4);
    let left = size;
    async function* body(): AsyncGenerator<Buffer> {
      while (left > 0) {
        const b = await r.some(Math.min(left, 1024 * 1024));
        left -= b.byteLength;
        yield b;
      }
    }
    yield { name, size, body: body() };
    // Whatever the consumer did not read is skipped, so the next entry starts where it should.
    while (left > 0) left -= (await r.some(Math.min(left, 1024 * 1024))).byteLength;
  }
}

/**
 * Archive paths are `hearth.db` (or PostgreSQL's `database.jsonl`), `at-rest.key` and
 * `blobs/xx/blb_…`: nothing that climbs out of the target.
 */
export function safeArchivePath(name: string): boolean {
  return (
    name === "hearth.db" ||
    name === "database.jsonl" ||
    name === AT_REST_KEY_FILE ||
    name === MANIFEST ||
    /^blobs\/[A-Za-z0-9_-]{2}\/blb_[A-Za-z0-9_-]{1,64}$/.test(name)
  );
}
