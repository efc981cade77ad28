import { ed25519 } from "@noble/curves/ed25519.js";
import type { Credential } from "ts-mls";
import { defaultCredentialTypes } from "ts-mls";
import type { DeviceCertificate } from "../identity/device-certificate.ts";
import {
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  issueDeviceCertificate,
} from "../identity/device-certificate.ts";
import type { IdentityKeyPair } from "../identity/identity-key.ts";
import { ByteReader, encodeVec16 } from "../internal/byte-reader.ts";
import { concatBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";

const VERSION = 1;

/**
 * One device's MLS signing identity: its own Ed25519 key (used for every leaf, key package and
 * message it signs) and the certificate by which the user's identity key vouches for it.
 */
export interface DeviceIdentity {
  readonly userId: string;
  readonly deviceId: string;
  readonly signaturePublicKey: Uint8Array;
  /** 32-byte Ed25519 seed. Local secret: never leaves the device. */
  readonly signatureSecretKey: Uint8Array;
  readonly certificate: DeviceCertificate;
}

/**
 * Create a device identity: a fresh device signing key, certified by the user's identity key.
 *
 * @example
 * ```ts
 * const device = createDeviceIdentity(identity, { userId: "u_1", deviceId: "d_phone" });
 * ```
 */
export function createDeviceIdentity(
  identity: IdentityKeyPair,
  ids: { userId: string; deviceId: string },
): DeviceIdentity {
  const { secretKey, publicKey } = ed25519.keygen();
  const certificate = issueDeviceCertificate(identity, { ...ids, deviceSignaturePublicKey: publicKey });
  return { ...ids, signaturePublicKey: publicKey, signatureSecretKey: secretKey, certificate };
}

/** The MLS basic credential for a device: its certificate is the credential's identity. */
export function deviceCredential(device: DeviceIdentity): Credential {
  return {
    credentialType: defaultCredentialTypes.basic,
    identity: encodeDeviceCertificate(device.certificate),
  };
}

/** Serialize a device identity for the device's own local key storage. */
export function encodeDeviceIdentity(device: DeviceIdentity): Uint8Array {
  return concatBytes(
    new Uint8Array([VERSION]),
    encodeVec16(device.signatureSecretKey),
    encodeVec16(encodeDeviceCertificate(device.certificate)),
  );
}

/** Parse a stored device identity; checks that the stored key matches the certificate. */
export function decodeDeviceIdentity(bytes: Uint8Array): Result<DeviceIdentity, "certificate_malformed"> {
  const r = new ByteReader(bytes);
  if (r.u8() !== VERSION) return fail("certificate_malformed");
  const seed = r.vec16();
  const certBytes = r.vec16();
  if (seed?.length !== 32 || certBytes === undefined || r.remaining !== 0)
    return fail("certificate_malformed");
  const cert = decodeDeviceCertificate(certBytes);
  if (!cert.ok) return cert;
  const publicKey = ed25519.getPublicKey(seed);
  const c = cert.value;
  if (publicKey.some((b, i) => b !== c.deviceSignaturePublicKey[i])) return fail("certificate_malformed");
  return ok({
    userId: c.userId,
    deviceId: c.deviceId,
    signaturePublicKey: publicKey,
    signatureSecretKey: seed,
    certificate: c,
  });
}
