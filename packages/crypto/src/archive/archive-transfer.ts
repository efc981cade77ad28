import { gcm } from "@noble/ciphers/aes.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  bytesEqual,
  concatBytes,
  fromBase64Url,
  randomBytes,
  toBase64Url,
  utf8ToBytes,
} from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { ArchiveRoot } from "./archive-key.ts";
import { ARCHIVE_ROOT_BYTES } from "./archive-key.ts";

const VERSION = 1;
const SECRET_BYTES = 16;
const QR_BYTES = 1 + 32 + SECRET_BYTES;
const MESSAGE_BYTES = 1 + 32 + ARCHIVE_ROOT_BYTES + 16;
const LABEL = utf8ToBytes("hearth/archive-transfer/v1");

/**
 * The new device's half of a transfer, kept in memory only until the transfer completes.
 * See docs/crypto-notes.md ("Archive transfer") for the protocol.
 */
export interface ArchiveTransferSession {
  readonly ephemeralSecretKey: Uint8Array;
  readonly ephemeralPublicKey: Uint8Array;
  readonly secret: Uint8Array;
}

function derive(
  dh: Uint8Array,
  secret: Uint8Array,
  newDevicePublic: Uint8Array,
  oldDevicePublic: Uint8Array,
): { key: Uint8Array; code: string } {
  const okm = hkdf(sha256, dh, secret, concatBytes(LABEL, newDevicePublic, oldDevicePublic), 32 + 8);
  const view = new DataView(okm.buffer, okm.byteOffset + 32, 8);
  // 64 bits mod 10^6: bias below 2^-40, irrelevant for a code compared by a human.
  const code = String(view.getBigUint64(0, false) % 1_000_000n).padStart(6, "0");
  return { key: okm.slice(0, 32), code };
}

function sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined {
  try {
    const dh = x25519.getSharedSecret(secretKey, publicKey);
    // A low-order public key gives an all-zero secret (RFC 7748 §6.1): refuse it.
    return dh.every((b) => b === 0) ? undefined : dh;
  } catch {
    return undefined;
  }
}

/**
 * Step 1, on the NEW device: start a transfer and show `qrPayload` as a QR code.
 *
 * @example
 * ```ts
 * const { qrPayload, session } = beginArchiveTransfer();
 * showQr(qrPayload);
 * ```
 */
export function beginArchiveTransfer(): { qrPayload: string; session: ArchiveTransferSession } {
  const { secretKey, publicKey } = x25519.keygen();
  const secret = randomBytes(SECRET_BYTES);
  const qrPayload = toBase64Url(concatBytes(new Uint8Array([VERSION]), publicKey, secret));
  return { qrPayload, session: { ephemeralSecretKey: secretKey, ephemeralPublicKey: publicKey, secret } };
}

/**
 * Step 2, on the OLD device, after scanning the QR code: encrypt the archive root for the new
 * device. Send `message` through the server and show `confirmationCode` (6 digits) to the user,
 * who types it on the new device.
 */
export function sendArchiveTransfer(
  qrPayload: string,
  root: ArchiveRoot,
): Result<{ message: Uint8Array; confirmationCode: string }, "transfer_qr_malformed"> {
  if (root.seed.length !== ARCHIVE_ROOT_BYTES) throw new RangeError("archive root must be 32 bytes");
  const qr = qrPayload.length <= 200 ? fromBase64Url(qrPayload.trim()) : undefined;
  if (qr?.length !== QR_BYTES || qr[0] !== VERSION) return fail("transfer_qr_malformed");
  const newDevicePublic = qr.slice(1, 33);
  const secret = qr.slice(33);
  const { secretKey, publicKey } = x25519.keygen();
  const dh = sharedSecret(secretKey, newDevicePublic);
  if (dh === undefined) return fail("transfer_qr_malformed");
  const { key, code } = derive(dh, secret, newDevicePublic, publicKey);
  const header = concatBytes(new Uint8Array([VERSION]), publicKey);
  // The key is used for this one message only, so a fixed nonce is safe.
  const sealed = gcm(key, new Uint8Array(12), concatBytes(header, newDevicePublic)).encrypt(root.seed);
  return ok({ message: concatBytes(header, sealed), confirmationCode: code });
}

/**
 * Step 3, on the NEW device: open the message and accept the root only if `typedCode` (the code
 * the old device shows) matches. Never throws for bad input.
 */
export function completeArchiveTransfer(
  session: ArchiveTransferSession,
  message: Uint8Array,
  typedCode: string,
): Result<ArchiveRoot, "transfer_message_malformed" | "transfer_failed" | "transfer_code_mismatch"> {
  if (message.length !== MESSAGE_BYTES || message[0] !== VERSION) return fail("transfer_message_malformed");
  const oldDevicePublic = message.slice(1, 33);
  const dh = sharedSecret(session.ephemeralSecretKey, oldDevicePublic);
  if (dh === undefined) return fail("transfer_failed");
  const { key, code } = derive(dh, session.secret, session.ephemeralPublicKey, oldDevicePublic);
  let seed: Uint8Array;
  try {
    seed = gcm(
      key,
      new Uint8Array(12),
      concatBytes(message.subarray(0, 33), session.ephemeralPublicKey),
    ).decrypt(message.subarray(33));
  } catch {
    return fail("transfer_failed");
  }
  const typed = utf8ToBytes(typedCode.replace(/\s/g, ""));
  if (!bytesEqual(typed, utf8ToBytes(code))) return fail("transfer_code_mismatch");
  return ok({ seed });
}

/**
 * On the NEW device: the 6-digit code it derives from the old device's message, to show next to
 * the old device's code. Does not open the message. Never throws for bad input.
 */
export function archiveTransferCode(
  session: ArchiveTransferSession,
  message: Uint8Array,
): Result<string, "transfer_message_malformed" | "transfer_failed"> {
  if (message.length !== MESSAGE_BYTES || message[0] !== VERSION) return fail("transfer_message_malformed");
  const oldDevicePublic = message.slice(1, 33);
  const dh = sharedSecret(session.ephemeralSecretKey, oldDevicePublic);
  if (dh === undefined) return fail("transfer_failed");
  return ok(derive(dh, session.secret, session.ephemeralPublicKey, oldDevicePublic).code);
}
