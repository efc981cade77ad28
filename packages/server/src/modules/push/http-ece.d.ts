/**
 * Types for the slice of `http_ece` (RFC 8188 Encrypted Content-Encoding, the library web-push
 * encrypts with) that push-crypto.ts uses; the package ships none.
 */
declare module "http_ece" {
  import type { ECDH } from "node:crypto";

  /** Parameters of one aes128gcm encryption (RFC 8291 when `dh`, `privateKey` and `authSecret` are set). */
  export interface EceParams {
    version: "aes128gcm";
    /** The receiver's ECDH public key (uncompressed point). */
    dh: Buffer;
    /** The sender's ECDH key pair; its public key becomes the header's key id. */
    privateKey: ECDH;
    /** 16 bytes. */
    salt: Buffer;
    /** The receiver's authentication secret. */
    authSecret: Buffer;
    /** Record size; 4096 by default. */
    rs?: number;
    /** Padding bytes to add. */
    pad?: number;
  }

  export function encrypt(buffer: Buffer, params: EceParams): Buffer;
  export function decrypt(
    buffer: Buffer,
    params: { version: "aes128gcm"; privateKey: ECDH; authSecret: Buffer },
  ): Buffer;
  const ece: { encrypt: typeof encrypt; decrypt: typeof decrypt };
  export default ece;
}
