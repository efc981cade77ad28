import { ed25519 } from "@noble/curves/ed25519.js";
import type { IdentityKeyPair } from "../identity/identity-key.ts";
import { ByteReader, encodeVec16 } from "../internal/byte-reader.ts";
import { bytesEqual, concatBytes, u32be, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";

const VERSION = 1;
const CONTEXT = utf8ToBytes("hearth/archive-key-record/v1");

/**
 * A user's current archive public key, signed by their identity key, as published through the
 * server. Readers check the signature against the identity key they pinned, so the server cannot
 * substitute its own archive key (and then read sealed content keys).
 * Layout: `version(1) ‖ vec16(userId) ‖ generation(u32) ‖ publicKey(32) ‖ signature(64)`.
 */
export interface ArchiveKeyRecord {
  readonly userId: string;
  readonly generation: number;
  readonly publicKey: Uint8Array;
}

function tbs(r: ArchiveKeyRecord): Uint8Array {
  return concatBytes(
    new Uint8Array([VERSION]),
    encodeVec16(utf8ToBytes(r.userId)),
    u32be(r.generation),
    r.publicKey,
  );
}

/**
 * Sign an archive key record with the user's identity key.
 *
 * @example
 * ```ts
 * const rec = signArchiveKeyRecord(identity, { userId, generation: 0, publicKey: pair.publicKey });
 * ```
 */
export function signArchiveKeyRecord(identity: IdentityKeyPair, r: ArchiveKeyRecord): Uint8Array {
  if (r.publicKey.length !== 32) throw new RangeError("archive public key must be 32 bytes");
  const body = tbs(r);
  return concatBytes(body, ed25519.sign(concatBytes(CONTEXT, body), identity.secretKey));
}

/**
 * Parse a record and verify it under `identityPublicKey` (the pinned key of the user it must
 * name). Never throws.
 */
export function openArchiveKeyRecord(
  bytes: Uint8Array,
  identityPublicKey: Uint8Array,
): Result<ArchiveKeyRecord, "archive_key_record_malformed" | "archive_key_record_bad_signature"> {
  const rd = new ByteReader(bytes);
  const version = rd.u8();
  const userIdBytes = rd.vec16();
  const generation = rd.u32();
  const publicKey = rd.bytes(32);
  const signature = rd.bytes(64);
  if (
    version !== VERSION ||
    userIdBytes === undefined ||
    userIdBytes.length === 0 ||
    generation === undefined ||
    publicKey === undefined ||
    signature === undefined ||
    rd.remaining !== 0
  ) {
    return fail("archive_key_record_malformed");
  }
  let userId: string;
  try {
    userId = new TextDecoder("utf-8", { fatal: true }).decode(userIdBytes);
  } catch {
    return fail("archive_key_record_malformed");
  }
  const body = bytes.subarray(0, bytes.length - 64);
  let valid = false;
  try {
    valid =
      identityPublicKey.length === 32 &&
      ed25519.verify(signature, concatBytes(CONTEXT, body), identityPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) return fail("archive_key_record_bad_signature");
  return ok({ userId, generation, publicKey });
}

/** Whether two records name the same key (for "did it change?"). */
export function sameArchiveKey(a: ArchiveKeyRecord, b: ArchiveKeyRecord): boolean {
  return a.userId === b.userId && a.generation === b.generation && bytesEqual(a.publicKey, b.publicKey);
}
