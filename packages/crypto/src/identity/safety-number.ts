import { sha512 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes, fromBase64Url, toBase64Url, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";

/** Fingerprint format version (hashed in, and first byte of the QR payload). */
const VERSION = 1;
/** Hash iterations, as in Signal's numeric fingerprint: slows down grinding for collisions. */
const ITERATIONS = 5200;
/** Bytes of each party's iterated hash kept for display (6 groups of 5 bytes → 30 digits). */
const DISPLAY_BYTES = 30;
/** Bytes of each party's iterated hash carried in the QR code. */
const QR_BYTES = 32;

/** One side of a safety-number comparison: a user id and that user's identity public key. */
export interface SafetyNumberParty {
  readonly userId: string;
  readonly identityPublicKey: Uint8Array;
}

function fingerprint(p: SafetyNumberParty): Uint8Array {
  const key = p.identityPublicKey;
  let h = sha512(concatBytes(new Uint8Array([0, VERSION]), key, utf8ToBytes(p.userId)));
  for (let i = 0; i < ITERATIONS; i++) h = sha512(concatBytes(h, key));
  return h;
}

function digits(fp: Uint8Array): string {
  let out = "";
  for (let i = 0; i < DISPLAY_BYTES; i += 5) {
    let chunk = 0;
    // 5 bytes = 40 bits: still exact in a double.
    for (let j = 0; j < 5; j++) chunk = chunk * 256 + (fp[i + j] ?? 0);
    out += String(chunk % 100000).padStart(5, "0");
  }
  return out;
}

/** Order the two parties canonically so both users compute the same number. */
function ordered(a: SafetyNumberParty, b: SafetyNumberParty): [SafetyNumberParty, SafetyNumberParty] {
  const ka = `${a.userId}\u0000`;
  const kb = `${b.userId}\u0000`;
  return ka < kb ? [a, b] : [b, a];
}

/**
 * The 60-digit safety number for a pair of users, identical on both sides and stable for as long
 * as neither identity key changes. Display it as 12 groups of 5 digits.
 *
 * @example
 * ```ts
 * const n = safetyNumber(me, them); // "12345 67890 …" after grouping
 * ```
 */
export function safetyNumber(a: SafetyNumberParty, b: SafetyNumberParty): string {
  const [first, second] = ordered(a, b);
  return digits(fingerprint(first)) + digits(fingerprint(second));
}

/** Format a 60-digit safety number as 12 groups of five digits. */
export function formatSafetyNumber(n: string): string {
  return (n.match(/.{1,5}/g) ?? []).join(" ");
}

/**
 * QR payload a user shows so the other can scan instead of reading digits:
 * `version ‖ fp(local) ‖ fp(remote)`, base64url.
 */
export function safetyNumberQrPayload(local: SafetyNumberParty, remote: SafetyNumberParty): string {
  const payload = concatBytes(
    new Uint8Array([VERSION]),
    fingerprint(local).subarray(0, QR_BYTES),
    fingerprint(remote).subarray(0, QR_BYTES),
  );
  return toBase64Url(payload);
}

/**
 * Check a scanned QR payload against what this device expects: the scanned code was made by
 * `remote` about `local`. Never throws; malformed input yields `safety_number_qr_malformed`.
 */
export function verifySafetyNumberQr(
  scanned: string,
  local: SafetyNumberParty,
  remote: SafetyNumberParty,
): Result<true, "safety_number_qr_malformed" | "safety_number_mismatch"> {
  const bytes = fromBase64Url(scanned.trim());
  if (bytes === undefined || bytes.length !== 1 + 2 * QR_BYTES || bytes[0] !== VERSION) {
    return fail("safety_number_qr_malformed");
  }
  const theirLocal = bytes.subarray(1, 1 + QR_BYTES);
  const theirRemote = bytes.subarray(1 + QR_BYTES);
  const match =
    bytesEqual(theirLocal, fingerprint(remote).subarray(0, QR_BYTES)) &&
    bytesEqual(theirRemote, fingerprint(local).subarray(0, QR_BYTES));
  return match ? ok(true) : fail("safety_number_mismatch");
}
