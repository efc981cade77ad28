import { ed25519 } from "@noble/curves/ed25519.js";
import { ByteReader, encodeVec16 } from "../internal/byte-reader.ts";
import { concatBytes, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { IdentityKeyPair } from "./identity-key.ts";

/** Format version written in the first byte of every certificate. */
const VERSION = 1;
/** Domain separation so an identity-key signature over a certificate can mean nothing else. */
const CONTEXT = utf8ToBytes("hearth/device-certificate/v1");
/** Largest user or device id we accept, in UTF-8 bytes. */
const MAX_ID_BYTES = 256;

/**
 * The statement "device `deviceId` of user `userId` signs with `deviceSignaturePublicKey`",
 * signed by the user's identity key. It is carried as the identity of the device's MLS basic
 * credential, so every member of a group can check it.
 */
export interface DeviceCertificate {
  readonly userId: string;
  readonly deviceId: string;
  readonly deviceSignaturePublicKey: Uint8Array;
  readonly identityPublicKey: Uint8Array;
  /** Milliseconds since the Unix epoch when the certificate was issued (informational). */
  readonly issuedAt: number;
  readonly signature: Uint8Array;
}

function checkId(id: string, what: string): Uint8Array {
  const bytes = utf8ToBytes(id);
  if (bytes.length === 0 || bytes.length > MAX_ID_BYTES)
    throw new RangeError(`${what} must be 1–${MAX_ID_BYTES} bytes`);
  return bytes;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

function toBeSigned(c: Omit<DeviceCertificate, "signature">): Uint8Array {
  return concatBytes(
    new Uint8Array([VERSION]),
    encodeVec16(checkId(c.userId, "userId")),
    encodeVec16(checkId(c.deviceId, "deviceId")),
    c.deviceSignaturePublicKey,
    c.identityPublicKey,
    u64(c.issuedAt),
  );
}

/**
 * Issue a certificate for one of the user's devices, signed with the identity key.
 * Throws on misuse (empty or oversized ids, wrong key sizes).
 *
 * @example
 * ```ts
 * const cert = issueDeviceCertificate(identity, { userId, deviceId, deviceSignaturePublicKey });
 * ```
 */
export function issueDeviceCertificate(
  identity: IdentityKeyPair,
  subject: { userId: string; deviceId: string; deviceSignaturePublicKey: Uint8Array; issuedAt?: number },
): DeviceCertificate {
  if (subject.deviceSignaturePublicKey.length !== 32) throw new RangeError("device key must be 32 bytes");
  const unsigned = {
    userId: subject.userId,
    deviceId: subject.deviceId,
    deviceSignaturePublicKey: subject.deviceSignaturePublicKey.slice(),
    identityPublicKey: identity.publicKey.slice(),
    issuedAt: Math.floor(subject.issuedAt ?? Date.now()),
  };
  const signature = ed25519.sign(concatBytes(CONTEXT, toBeSigned(unsigned)), identity.secretKey);
  return { ...unsigned, signature };
}

/** Serialize a certificate (the bytes placed in the MLS credential). */
export function encodeDeviceCertificate(c: DeviceCertificate): Uint8Array {
  return concatBytes(toBeSigned(c), c.signature);
}

/**
 * Parse certificate bytes. Never throws: anything malformed yields `certificate_malformed`.
 * Parsing does not verify the signature; use {@link verifyDeviceCertificate}.
 */
export function decodeDeviceCertificate(
  bytes: Uint8Array,
): Result<DeviceCertificate, "certificate_malformed"> {
  const r = new ByteReader(bytes);
  if (r.u8() !== VERSION) return fail("certificate_malformed");
  const userId = r.string16();
  const deviceId = r.string16();
  const deviceSignaturePublicKey = r.bytes(32);
  const identityPublicKey = r.bytes(32);
  const issuedAt = r.u64();
  const signature = r.bytes(64);
  if (
    userId === undefined ||
    deviceId === undefined ||
    deviceSignaturePublicKey === undefined ||
    identityPublicKey === undefined ||
    issuedAt === undefined ||
    signature === undefined ||
    r.remaining !== 0
  ) {
    return fail("certificate_malformed");
  }
  const idsOk = [userId, deviceId].every((id) => {
    const n = utf8ToBytes(id).length;
    return n > 0 && n <= MAX_ID_BYTES;
  });
  if (!idsOk) return fail("certificate_malformed");
  return ok({ userId, deviceId, deviceSignaturePublicKey, identityPublicKey, issuedAt, signature });
}

/**
 * Check that the certificate is signed by the identity key it names. Whether that identity key
 * is the right one for the user is the caller's decision (see the authentication service).
 */
export function verifyDeviceCertificate(c: DeviceCertificate): boolean {
  try {
    return ed25519.verify(c.signature, concatBytes(CONTEXT, toBeSigned(c)), c.identityPublicKey);
  } catch {
    // noble throws on keys that are not valid curve points: that is simply "not verified".
    return false;
  }
}
