import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { BackupError } from "./backup-error.ts";

/**
 * The encrypted container of a backup file:
 *
 *     "HEARTH-BACKUP-1\n" | u32 header length | header (JSON) | records…
 *
 * Each record is `u32 length | AES-256-GCM(chunk) with its 16-byte tag`, for plaintext chunks of at
 * most {@link CHUNK_BYTES}. The nonce is the header's 7-byte prefix, the record's u32 number and a
 * last-record flag (the STREAM construction): a reordered, dropped or altered record fails its tag,
 * and a file cut short lacks the record flagged last. The whole header is every record's associated
 * data, so the KDF parameters cannot be swapped either. The key comes from a passphrase (scrypt) or a
 * key file (HKDF-SHA256); the header's `keyCheck` tells a wrong passphrase from damage before
 * anything is decrypted. Node's own OpenSSL does all of it: no dependency.
 */
const MAGIC = Buffer.from("HEARTH-BACKUP-1\n", "ascii");
/** Plaintext bytes per record. */
export const CHUNK_BYTES = 1024 * 1024;
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 64 * 1024;
/** scrypt cost: 2^17 × 8 × 128 B = 128 MiB and about half a second, once per backup or restore. */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

/** Where the key comes from: a passphrase, or the bytes of a key file (at least 32 of them). */
export type BackupSecret = { passphrase: string } | { keyFile: Uint8Array };

type Kdf =
  | { name: "scrypt"; N: number; r: number; p: number; salt: string }
  | { name: "key-file"; salt: string };

interface Header {
  format: 1;
  kdf: Kdf;
  noncePrefix: string;
  keyCheck: string;
  createdAt: string;
}

async function masterKey(secret: BackupSecret, kdf: Kdf): Promise<Buffer> {
  const salt = Buffer.from(kdf.salt, "base64");
  if (kdf.name === "scrypt") {
    if (!("passphrase" in secret))
      throw new BackupError("wrong_secret", "This backup was made with a passphrase, not a key file.");
    const { N, r, p } = kdf;
    if (N > 2 ** 20 || r > 32 || p > 16)
      throw new BackupError("damaged", "The backup's header asks for an unreasonable scrypt cost.");
    return new Promise((resolve, reject) =>
      scrypt(
        secret.passphrase.normalize("NFC"),
        salt,
        32,
        { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
        (err, key) => (err ? reject(err) : resolve(key)),
      ),
    );
  }
  if (!("keyFile" in secret))
    throw new BackupError("wrong_secret", "This backup was made with a key file, not a passphrase.");
  return Buffer.from(hkdfSync("sha256", secret.keyFile, salt, "hearth-backup key file", 32));
}

const subkey = (master: Buffer, label: string) => createHmac("sha256", master).update(label).digest();

function nonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0, 0, 7);
  n.writeUInt32BE(counter, 7);
  n[11] = last ? 1 : 0;
  return n;
}

/** Checks a secret's shape before any work: a passphrase of 12+ characters, a key file of 32+ bytes. */
export function checkSecret(secret: BackupSecret) {
  if ("passphrase" in secret && secret.passphrase.length < 12) {
    throw new BackupError("usage", "The passphrase is shorter than 12 characters.");
  }
  if ("keyFile" in secret && secret.keyFile.byteLength < 32) {
    throw new BackupError(
      "usage",
      "The key file holds fewer than 32 bytes (make one: head -c 32 /dev/urandom > key).",
    );
  }
}

/** Writes the container to an open file: `write` plaintext in any sizes, then `finish`. */
export class EncryptedWriter {
  readonly #file: FileHandle;
  readonly #key: Buffer;
  readonly #aad: Buffer;
  readonly #prefix: Buffer;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #counter = 0;
  /** Bytes written to the file so far. */
  written = 0;

  private constructor(file: FileHandle, key: Buffer, aad: Buffer, prefix: Buffer) {
    this.#file = file;
    this.#key = key;
    this.#aad = aad;
    this.#prefix = prefix;
  }

  static async create(file: FileHandle, secret: BackupSecret): Promise<EncryptedWriter> {
    const salt = randomBytes(16).toString("base64");
    const kdf: Kdf =
      "passphrase" in secret ? { name: "scrypt", ...SCRYPT, salt } : { name: "key-file", salt };
    const master = await masterKey(secret, kdf);
    const prefix = randomBytes(7);
    const header: Header = {
      format: 1,
      kdf,
      noncePrefix: prefix.toString("base64"),
      keyCheck: subkey(master, "hearth-backup key check").toString("base64"),
      createdAt: new Date().toISOString(),
    };
    const json = Buffer.from(JSON.stringify(header), "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.byteLength);
    const aad = Buffer.concat([MAGIC, len, json]);
    const w = new EncryptedWriter(file, subkey(master, "hearth-backup encryption"), aad, prefix);
    await w.#out(aad);
    return w;
  }

  async #out(b: Buffer) {
    await this.#file.write(b);
    this.written += b.byteLength;
  }

  async #seal(chunk: Buffer, last: boolean) {
    const c = createCipheriv("aes-256-gcm", this.#key, nonce(this.#prefix, this.#counter, last));
    this.#counter += 1;
    c.setAAD(this.#aad);
    const body = Buffer.concat([c.update(chunk), c.final(), c.getAuthTag()]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.byteLength);
    await this.#out(Buffer.concat([len, body]));
  }

  async write(data: Uint8Array) {
    this.#pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.#pendingBytes += data.byteLength;
    while (this.#pendingBytes > CHUNK_BYTES) {
      const all = Buffer.concat(this.#pending);
      await this.#seal(all.subarray(0, CHUNK_BYTES), false);
      const rest = all.subarray(CHUNK_BYTES);
      this.#pending = [Buffer.from(rest)];
      this.#pendingBytes = rest.byteLength;
    }
  }

  /** Seals what is left as the record flagged last. */
  async finish() {
    await this.#seal(Buffer.concat(this.#pending), true);
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

async function readExactly(file: FileHandle, position: number, n: number): Promise<Buffer> {
  const b = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const { bytesRead } = await file.read(b, got, n - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === n ? b : b.subarray(0, got);
}

/**
 * Opens a container: checks the magic, the header and the secret (a wrong one fails here, before any
 * record is read), then yields the plaintext record by record, each authenticated before it is yielded.
 */
export async function openEncrypted(
  file: FileHandle,
  secret: BackupSecret,
): Promise<{ createdAt: string; size: number; chunks: () => AsyncGenerator<Buffer> }> {
  const size = (await file.stat()).size;
  const head = await readExactly(file, 0, MAGIC.byteLength + 4);
  if (head.byteLength < MAGIC.byteLength + 4 || !head.subarray(0, MAGIC.byteLength).equals(MAGIC)) {
    throw new BackupError(
      "not_backup",
      "This file is not a Hearth backup (its first bytes are not HEARTH-BACKUP-1).",
    );
  }
  const headerLen = head.readUInt32BE(MAGIC.byteLength);
  if (headerLen > MAX_HEADER_BYTES)
    throw new BackupError("damaged", "The backup's header is damaged (impossible length).");
  const json = await readExactly(file, head.byteLength, headerLen);
  if (json.byteLength < headerLen)
    throw new BackupError("truncated", "The backup is truncated: it ends inside its header.");
  let header: Header;
  try {
    header = JSON.parse(json.toString("utf8")) as Header;
    if (header.format !== 1 || !header.kdf || typeof header.noncePrefix !== "string")
      throw new Error("shape");
  } catch {
    throw new BackupError("damaged", "The backup's header is damaged (not the expected JSON).");
  }
  const master = await masterKey(secret, header.kdf);
  const check = Buffer.from(header.keyCheck ?? "", "base64");
  const expected = subkey(master, "hearth-backup key check");
  if (check.byteLength !== expected.byteLength || !timingSafeEqual(check, expected)) {
    throw new BackupError(
      "wrong_secret",
      "The passphrase or key file does not open this backup (or its header was altered).",
    );
  }
  const key = subkey(master, "hearth-backup encryption");
  const aad = Buffer.concat([head, json]);
  const prefix = Buffer.from(header.noncePrefix, "base64");
  async function* chunks(): AsyncGenerator<Buffer> {
    let pos = aad.byteLength;
    for (let counter = 0; ; counter += 1) {
      const lenBytes = await readExactly(file, pos, 4);
      if (lenBytes.byteLength < 4) {
        throw new BackupError(
          "truncated",
          `The backup is truncated: it ends at byte ${size} before its last record.`,
        );
      }
      const len = lenBytes.readUInt32BE(0);
      if (len < TAG_BYTES || len > CHUNK_BYTES + TAG_BYTES) {
        throw new BackupError(
          "damaged",
          `The backup was altered or damaged at byte ${pos} (impossible record length).`,
        );
      }
      const body = await readExactly(file, pos + 4, len);
      if (body.byteLength < len) {
        throw new BackupError(
          "truncated",
          `The backup is truncated: its record at byte ${pos} is cut short.`,
        );
      }
      const open = (last: boolean) => {
        const d = createDecipheriv("aes-256-gcm", key, nonce(prefix, counter, last));
        d.setAAD(aad);
        d.setAuthTag(body.subarray(len - TAG_BYTES));
        return Buffer.concat([d.update(body.subarray(0, len - TAG_BYTES)), d.final()]);
      };
      pos += 4 + len;
      let plain: Buffer;
      let last = false;
      try {
        plain = open(false);
      } catch {
        try {
          plain = open(true);
          last = true;
        } catch {
          throw new BackupError(
            "damaged",
            `The backup was altered or damaged: the record at byte ${pos - 4 - len} fails its authentication check.`,
          );
        }
      }
      yield plain;
      if (last) {
        if (pos !== size)
          throw new BackupError(
            "damaged",
            `The backup has ${size - pos} unexpected bytes after its last record.`,
          );
        return;
      }
    }
  }
  return { createdAt: header.createdAt, size, chunks };
}
