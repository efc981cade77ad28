import { ed25519 } from "@noble/curves/ed25519.js";
import { concatBytes, utf8ToBytes } from "../internal/bytes.ts";
import type { DeviceIdentity } from "../mls/device-identity.ts";
import type { DeviceCertificate } from "./device-certificate.ts";
import { verifyDeviceCertificate } from "./device-certificate.ts";

const CONTEXT = utf8ToBytes("hearth/device-signature/v1\u0000");

/**
 * Sign bytes with a device's own signing key (the key its certificate vouches for), under a
 * caller-chosen label for domain separation. Used to authenticate archived messages, which a
 * device reading history opens without MLS.
 */
export function signAsDevice(device: DeviceIdentity, label: string, message: Uint8Array): Uint8Array {
  return ed25519.sign(
    concatBytes(CONTEXT, utf8ToBytes(label), new Uint8Array([0]), message),
    device.signatureSecretKey,
  );
}

/**
 * Verify a {@link signAsDevice} signature: the certificate must be validly signed by the identity
 * key it names (checking that key against the pinned one is the caller's job) and certify the key
 * that made the signature. Never throws.
 */
export function verifyDeviceSignature(
  certificate: DeviceCertificate,
  label: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return (
      signature.length === 64 &&
      verifyDeviceCertificate(certificate) &&
      ed25519.verify(
        signature,
        concatBytes(CONTEXT, utf8ToBytes(label), new Uint8Array([0]), message),
        certificate.deviceSignaturePublicKey,
      )
    );
  } catch {
    return false;
  }
}
