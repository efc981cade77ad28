import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { ArchiveRoot } from "./archive-key.ts";
import { ARCHIVE_ROOT_BYTES } from "./archive-key.ts";

const VERSION = 1;
const CHECKSUM_BYTES = 2;
const PAYLOAD_BYTES = 1 + ARCHIVE_ROOT_BYTES + CHECKSUM_BYTES; // 35 bytes = 280 bits = 56 chars
const CHARS = (PAYLOAD_BYTES * 8) / 5;
/** Crockford base32: no I, L, O, U, so nothing reads as another character. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function checksum(version: number, seed: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8ToBytes("hearth/recovery-key/v1"), new Uint8Array([version]), seed)).slice(
    0,
    CHECKSUM_BYTES,
  );
}

/**
 * Encode the archive root as the recovery key shown once at sign-up: 56 Crockford-base32
 * characters (version, root and a 16-bit checksum) in 14 groups of four.
 *
 * @example
 * ```ts
 * showOnce(recoveryKeyFromRoot(root)); // "7QX4 M2D9 …"
 * ```
 */
export function recoveryKeyFromRoot(root: ArchiveRoot): string {
  if (root.seed.length !== ARCHIVE_ROOT_BYTES) throw new RangeError("archive root must be 32 bytes");
  const payload = concatBytes(new Uint8Array([VERSION]), root.seed, checksum(VERSION, root.seed));
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of payload) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return (out.match(/.{4}/g) ?? []).join(" ");
}

/**
 * Parse a typed recovery key back into the archive root. Case, spaces and dashes are ignored and
 * the look-alikes O→0, I/L→1 are accepted. Never throws: `recovery_key_malformed` (length or
 * characters), `recovery_key_checksum` (a typo), `recovery_key_unsupported_version`.
 */
export function parseRecoveryKey(
  input: string,
): Result<
  ArchiveRoot,
  "recovery_key_malformed" | "recovery_key_checksum" | "recovery_key_unsupported_version"
> {
  if (input.length > 4 * CHARS) return fail("recovery_key_malformed");
  const cleaned = input.toUpperCase().replace(/[\s-]/g, "").replaceAll("O", "0").replace(/[IL]/g, "1");
  if (cleaned.length !== CHARS) return fail("recovery_key_malformed");
  const payload = new Uint8Array(PAYLOAD_BYTES);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const ch of cleaned) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return fail("recovery_key_malformed");
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      payload[n++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  const version = payload[0] ?? 0;
  const seed = payload.slice(1, 1 + ARCHIVE_ROOT_BYTES);
  if (!bytesEqual(payload.slice(1 + ARCHIVE_ROOT_BYTES), checksum(version, seed)))
    return fail("recovery_key_checksum");
  if (version !== VERSION) return fail("recovery_key_unsupported_version");
  return ok({ seed });
}
