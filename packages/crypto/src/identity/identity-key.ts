import { ed25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { ArchiveRoot } from "../archive/archive-key.ts";
import { utf8ToBytes } from "../internal/bytes.ts";

/**
 * A user's long-term identity signing key (Ed25519). It certifies each of the user's devices and
 * is what two users compare through the safety number. `secretKey` is the 32-byte seed; it stays
 * on the user's devices and is never sent to the server.
 */
export interface IdentityKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * Generate a fresh identity key pair.
 *
 * @example
 * ```ts
 * const identity = generateIdentityKeyPair();
 * await server.publishIdentityKey(identity.publicKey);
 * ```
 */
export function generateIdentityKeyPair(): IdentityKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { secretKey, publicKey };
}

/** Rebuild an identity key pair from its stored 32-byte seed; throws if the seed is not 32 bytes. */
export function identityKeyPairFromSeed(seed: Uint8Array): IdentityKeyPair {
  if (seed.length !== 32) throw new RangeError("identity seed must be 32 bytes");
  return { secretKey: seed.slice(), publicKey: ed25519.getPublicKey(seed) };
}

/**
 * The identity key pair a user's archive root determines: seed = HKDF-SHA256(root, info =
 * "hearth/identity/ed25519/v1"). Hearth derives the identity key from the root so that the one
 * secret a new device receives (by device transfer or recovery key) lets it certify its own MLS
 * credential. See docs/security.md ("New devices").
 *
 * @example
 * ```ts
 * const identity = identityKeyPairFromArchiveRoot(root);
 * ```
 */
export function identityKeyPairFromArchiveRoot(root: ArchiveRoot): IdentityKeyPair {
  if (root.seed.length !== 32) throw new RangeError("archive root must be 32 bytes");
  return identityKeyPairFromSeed(
    hkdf(sha256, root.seed, undefined, utf8ToBytes("hearth/identity/ed25519/v1"), 32),
  );
}
