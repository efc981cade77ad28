import { ed25519 } from "@noble/curves/ed25519.js";

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
