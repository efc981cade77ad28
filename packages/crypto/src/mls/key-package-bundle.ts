import type { KeyPackage, PrivateKeyPackage } from "ts-mls";
import { decode, encode, privateKeyPackageDecoder, privateKeyPackageEncoder } from "ts-mls";
import { ByteReader, encodeVec16 } from "../internal/byte-reader.ts";
import { concatBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import { decodeKeyPackageMessage } from "./mls-codec.ts";

const VERSION = 1;

/**
 * A key package as the device keeps it: the public part (an MLSMessage, uploaded to the server),
 * its reference, whether it is the last-resort package, and the private keys (stay local).
 */
export interface KeyPackageBundle {
  /** Encoded MLSMessage(KeyPackage): what the server stores and hands to inviters. */
  readonly keyPackage: Uint8Array;
  /** KeyPackageRef (RFC 9420 §5.2): how a Welcome names the package it is for. */
  readonly ref: Uint8Array;
  /** Last-resort packages may be used more than once; the others must be deleted after use. */
  readonly lastResort: boolean;
  /** Encoded private keys (init, HPKE leaf, signature). Local secret. */
  readonly privateKeys: Uint8Array;
}

/** Serialize a bundle for the device's local store. */
export function encodeKeyPackageBundle(b: KeyPackageBundle): Uint8Array {
  return concatBytes(
    new Uint8Array([VERSION, b.lastResort ? 1 : 0]),
    encodeVec16(b.keyPackage),
    encodeVec16(b.ref),
    encodeVec16(b.privateKeys),
  );
}

/** Parse a stored bundle; never throws. */
export function decodeKeyPackageBundle(bytes: Uint8Array): Result<KeyPackageBundle, "key_package_malformed"> {
  const r = new ByteReader(bytes);
  const version = r.u8();
  const lastResort = r.u8();
  const keyPackage = r.vec16();
  const ref = r.vec16();
  const privateKeys = r.vec16();
  if (
    version !== VERSION ||
    (lastResort !== 0 && lastResort !== 1) ||
    keyPackage === undefined ||
    ref === undefined ||
    privateKeys === undefined ||
    r.remaining !== 0 ||
    !decodeKeyPackageMessage(keyPackage).ok ||
    unpackPrivateKeys(privateKeys) === undefined
  ) {
    return fail("key_package_malformed");
  }
  return ok({ keyPackage, ref, lastResort: lastResort === 1, privateKeys });
}

/** Encode private keys (internal). */
export function packPrivateKeys(p: PrivateKeyPackage): Uint8Array {
  return encode(privateKeyPackageEncoder, p);
}

/** Decode private keys (internal); `undefined` when malformed. */
export function unpackPrivateKeys(bytes: Uint8Array): PrivateKeyPackage | undefined {
  try {
    return decode(privateKeyPackageDecoder, bytes);
  } catch {
    return undefined;
  }
}

/** Decoded public key package of a bundle (internal). */
export function bundleKeyPackage(b: KeyPackageBundle): KeyPackage | undefined {
  const d = decodeKeyPackageMessage(b.keyPackage);
  return d.ok ? d.value : undefined;
}
