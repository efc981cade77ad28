import { ByteReader } from "../internal/byte-reader.ts";
import { concatBytes, u32be } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";

/** "HAT1": Hearth attachment, format 1. */
const MAGIC = new Uint8Array([0x48, 0x41, 0x54, 0x31]);

/** Encoded header length in bytes: magic (4) ‖ chunk size (4) ‖ nonce prefix (7) ‖ reserved (1). */
export const ATTACHMENT_HEADER_BYTES = 16;
/** Bytes of random nonce prefix; the remaining 5 nonce bytes are the chunk index and final flag. */
export const NONCE_PREFIX_BYTES = 7;
/** Smallest and largest chunk sizes a header may declare. */
export const MIN_CHUNK_SIZE = 1024;
/** Largest chunk size a header may declare (bounds memory per chunk on decrypt). */
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024;

/** The cleartext header at the start of every encrypted attachment blob. */
export interface AttachmentHeader {
  /** Plaintext bytes per chunk (the last chunk may be shorter). */
  readonly chunkSize: number;
  /** Random per-file nonce prefix. */
  readonly noncePrefix: Uint8Array;
}

/** Serialize a header; throws on misuse (out-of-range chunk size, wrong prefix length). */
export function encodeAttachmentHeader(h: AttachmentHeader): Uint8Array {
  if (!Number.isInteger(h.chunkSize) || h.chunkSize < MIN_CHUNK_SIZE || h.chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`chunk size must be ${MIN_CHUNK_SIZE}–${MAX_CHUNK_SIZE}`);
  }
  if (h.noncePrefix.length !== NONCE_PREFIX_BYTES) throw new RangeError("nonce prefix must be 7 bytes");
  return concatBytes(MAGIC, u32be(h.chunkSize), h.noncePrefix, new Uint8Array([0]));
}

/** Parse the header at the start of `bytes`. Never throws. */
export function decodeAttachmentHeader(
  bytes: Uint8Array,
): Result<AttachmentHeader, "attachment_header_invalid"> {
  const r = new ByteReader(bytes.subarray(0, ATTACHMENT_HEADER_BYTES));
  const magic = r.bytes(4);
  const chunkSize = r.u32();
  const noncePrefix = r.bytes(NONCE_PREFIX_BYTES);
  const reserved = r.u8();
  if (
    magic === undefined ||
    !magic.every((b, i) => b === MAGIC[i]) ||
    chunkSize === undefined ||
    chunkSize < MIN_CHUNK_SIZE ||
    chunkSize > MAX_CHUNK_SIZE ||
    noncePrefix === undefined ||
    reserved !== 0
  ) {
    return fail("attachment_header_invalid");
  }
  return ok({ chunkSize, noncePrefix });
}
