import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes, u32be, utf8ToBytes } from "../internal/bytes.ts";

/** Bytes of an archive root. */
export const ARCHIVE_ROOT_BYTES = 32;

/**
 * The user's archive root: 32 random bytes from which every archive key pair is derived. It is
 * what the recovery key encodes and what device transfer moves; never sent to the server.
 */
export interface ArchiveRoot {
  readonly seed: Uint8Array;
}

/** An archive key pair of one generation (rotated, e.g., when a device is revoked). */
export interface ArchiveKeyPair {
  readonly generation: number;
  readonly publicKey: Uint8Array;
  readonly privateKey: CryptoKey;
  /** Short identifier of the public key (first 8 bytes of its SHA-256), to match sealed keys. */
  readonly keyId: Uint8Array;
}

/**
 * HPKE suite for the archive layer (RFC 9180): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-128-GCM, base mode.
 */
export function archiveHpkeSuite(): CipherSuite {
  return new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
}

/** Create a new random archive root (once, at sign-up). */
export function generateArchiveRoot(): ArchiveRoot {
  return { seed: randomBytes(ARCHIVE_ROOT_BYTES) };
}

/** Key id of an archive public key. */
export function archiveKeyId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, 8);
}

/**
 * Derive the archive key pair of a generation from the root. Deterministic, so a restored root
 * reproduces every past generation's private key and can open all sealed history.
 */
export async function deriveArchiveKeyPair(root: ArchiveRoot, generation = 0): Promise<ArchiveKeyPair> {
  if (root.seed.length !== ARCHIVE_ROOT_BYTES) throw new RangeError("archive root must be 32 bytes");
  if (!Number.isInteger(generation) || generation < 0 || generation > 0xffffffff) {
    throw new RangeError("generation must be a 32-bit unsigned integer");
  }
  const ikm = hkdf(
    sha256,
    root.seed,
    undefined,
    new Uint8Array([...utf8ToBytes("hearth/archive/x25519/v1"), ...u32be(generation)]),
    32,
  );
  const suite = archiveHpkeSuite();
  const pair = await suite.kem.deriveKeyPair(ikm);
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  return { generation, publicKey, privateKey: pair.privateKey, keyId: archiveKeyId(publicKey) };
}
