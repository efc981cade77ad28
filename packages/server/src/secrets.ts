import { createHash, randomBytes } from "node:crypto";

/** A new opaque secret (session token, invite token, setup token): 32 random bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The stored form of a secret: its SHA-256 (the secret has 256 bits, so no salt or stretching). */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
