import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, randomBytes, toArrayBufferView } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { AttachmentHeader } from "./attachment-header.ts";
import {
  ATTACHMENT_HEADER_BYTES,
  decodeAttachmentHeader,
  encodeAttachmentHeader,
  NONCE_PREFIX_BYTES,
} from "./attachment-header.ts";

/** Default plaintext chunk size: 64 KiB. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
const TAG_BYTES = 16;

/**
 * What the sender puts inside the (MLS-encrypted) message so the recipient can fetch and open
 * the blob: the per-file key and the SHA-256 of the uploaded ciphertext.
 */
export interface AttachmentSecret {
  /** Random AES-256-GCM key for this file only. */
  readonly key: Uint8Array;
  /** SHA-256 of the whole encrypted blob (header included), checked before decrypting. */
  readonly sha256: Uint8Array;
  /** Length of the plaintext in bytes. */
  readonly size: number;
}

/** Progress report: bytes of input processed so far, out of `total`. */
export type AttachmentProgress = (done: number, total: number) => void;

/** Result of {@link encryptAttachment}. */
export interface EncryptedAttachment {
  /** The opaque blob to upload. */
  readonly blob: Uint8Array;
  readonly secret: AttachmentSecret;
}

/**
 * 12-byte nonce: 7-byte random prefix ‖ 32-bit chunk index ‖ final flag. Binding the index
 * stops reordering; binding "final" stops truncation at a chunk boundary (the STREAM
 * construction of Hoang, Reyhanitabar, Rogaway and Vizár).
 */
function chunkNonce(prefix: Uint8Array, index: number, final: boolean): Uint8Array<ArrayBuffer> {
  const n = new Uint8Array(new ArrayBuffer(12));
  n.set(prefix.subarray(0, NONCE_PREFIX_BYTES), 0);
  new DataView(n.buffer).setUint32(NONCE_PREFIX_BYTES, index, false);
  n[11] = final ? 1 : 0;
  return n;
}

async function importKey(key: Uint8Array, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey("raw", toArrayBufferView(key), "AES-GCM", false, [usage]);
}

/**
 * Encrypt a file for upload: random 256-bit key, AES-256-GCM in chunks with the header as
 * associated data. The server only ever sees the blob.
 *
 * @example
 * ```ts
 * const { blob, secret } = await encryptAttachment(bytes, { onProgress: (d, t) => bar(d / t) });
 * await upload(blob); // then send `secret`, size and type inside the MLS message
 * ```
 */
export async function encryptAttachment(
  plaintext: Uint8Array,
  options: { chunkSize?: number; onProgress?: AttachmentProgress } = {},
): Promise<EncryptedAttachment> {
  const header: AttachmentHeader = {
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
    noncePrefix: randomBytes(NONCE_PREFIX_BYTES),
  };
  const headerBytes = encodeAttachmentHeader(header);
  const aad = toArrayBufferView(headerBytes);
  const key = randomBytes(32);
  const cryptoKey = await importKey(key, "encrypt");
  const chunkCount = Math.max(1, Math.ceil(plaintext.length / header.chunkSize));
  if (chunkCount > 0xffffffff) throw new RangeError("attachment too large");
  const blob = new Uint8Array(ATTACHMENT_HEADER_BYTES + plaintext.length + chunkCount * TAG_BYTES);
  blob.set(headerBytes, 0);
  let out = ATTACHMENT_HEADER_BYTES;
  for (let i = 0; i < chunkCount; i++) {
    const start = i * header.chunkSize;
    const chunk = plaintext.subarray(start, Math.min(plaintext.length, start + header.chunkSize));
    const iv = chunkNonce(header.noncePrefix, i, i === chunkCount - 1);
    const sealed = await globalThis.crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: aad },
      cryptoKey,
      toArrayBufferView(chunk),
    );
    blob.set(new Uint8Array(sealed), out);
    out += sealed.byteLength;
    options.onProgress?.(start + chunk.length, plaintext.length);
  }
  return { blob, secret: { key, sha256: sha256(blob), size: plaintext.length } };
}

/**
 * Decrypt a downloaded blob. Any alteration — a flipped bit, a missing, extra or reordered
 * chunk, a different file — yields `attachment_corrupt` and no plaintext. Throws only on misuse
 * (a key that is not 32 bytes).
 */
export async function decryptAttachment(
  blob: Uint8Array,
  secret: AttachmentSecret,
  options: { onProgress?: AttachmentProgress } = {},
): Promise<Result<Uint8Array, "attachment_corrupt">> {
  if (secret.key.length !== 32) throw new RangeError("attachment key must be 32 bytes");
  // Check the hash first: it is cheap and rejects a swapped or damaged blob before any decryption.
  if (!bytesEqual(sha256(blob), secret.sha256)) return fail("attachment_corrupt");
  const parsed = decodeAttachmentHeader(blob);
  if (!parsed.ok) return fail("attachment_corrupt");
  const header = parsed.value;
  const body = blob.length - ATTACHMENT_HEADER_BYTES;
  const sealedChunk = header.chunkSize + TAG_BYTES;
  const chunkCount = Math.max(1, Math.ceil(body / sealedChunk));
  const expected = body - chunkCount * TAG_BYTES;
  if (body < TAG_BYTES || expected !== secret.size) return fail("attachment_corrupt");
  const aad = toArrayBufferView(blob.subarray(0, ATTACHMENT_HEADER_BYTES));
  const cryptoKey = await importKey(secret.key, "decrypt");
  const out = new Uint8Array(expected);
  let written = 0;
  for (let i = 0; i < chunkCount; i++) {
    const start = ATTACHMENT_HEADER_BYTES + i * sealedChunk;
    const sealed = blob.subarray(start, Math.min(blob.length, start + sealedChunk));
    try {
      const plain = await globalThis.crypto.subtle.decrypt(
        { name: "AES-GCM", iv: chunkNonce(header.noncePrefix, i, i === chunkCount - 1), additionalData: aad },
        cryptoKey,
        toArrayBufferView(sealed),
      );
      out.set(new Uint8Array(plain), written);
      written += plain.byteLength;
    } catch {
      // WebCrypto reports an authentication failure as an OperationError.
      return fail("attachment_corrupt");
    }
    options.onProgress?.(written, expected);
  }
  return ok(out);
}
