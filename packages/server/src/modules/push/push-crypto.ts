import { createECDH, type ECDH, randomBytes } from "node:crypto";
import ece from "http_ece";

/** The keys a browser's push subscription holds (`PushSubscription.getKey`), base64url. */
export interface SubscriptionKeys {
  /** The user agent's P-256 ECDH public key, uncompressed (65 bytes). */
  p256dh: string;
  /** The user agent's 16-byte authentication secret. */
  auth: string;
}

/**
 * Every push's plaintext is padded to this many bytes before encryption, so its length tells a push
 * service nothing (for example, whether it names the sender).
 */
export const PUSH_PLAINTEXT_BYTES = 128;

/** What a test may fix; in production both are fresh for every push (RFC 8291 §3.1, §3.4). */
export interface EncryptOptions {
  /** The application server's ephemeral ECDH private key (32 bytes); random when absent. */
  senderPrivateKey?: Buffer;
  /** The 16-byte salt; random when absent. */
  salt?: Buffer;
  /** Pad the plaintext up to this many bytes (default {@link PUSH_PLAINTEXT_BYTES}; 0: no padding). */
  padTo?: number;
}

/**
 * Encrypts one push message for one subscription: RFC 8291 (Message Encryption for Web Push) with
 * the `aes128gcm` content coding of RFC 8188, one record of 4096 bytes, the sender's ephemeral public
 * key as the header's key id. This is the only code path that encrypts pushes; the RFC's Appendix A
 * example is its test (`push-crypto.test.ts`).
 *
 * @example
 * const body = encryptPush(Buffer.from(JSON.stringify(payload)), subscription.keys);
 */
export function encryptPush(plaintext: Buffer, keys: SubscriptionKeys, options: EncryptOptions = {}): Buffer {
  const dh = Buffer.from(keys.p256dh, "base64url");
  const authSecret = Buffer.from(keys.auth, "base64url");
  if (dh.length !== 65 || dh[0] !== 4) throw new TypeError("p256dh must be an uncompressed P-256 point");
  if (authSecret.length !== 16) throw new TypeError("auth must be 16 bytes");
  const sender: ECDH = createECDH("prime256v1");
  if (options.senderPrivateKey) sender.setPrivateKey(options.senderPrivateKey);
  else sender.generateKeys();
  const padTo = options.padTo ?? PUSH_PLAINTEXT_BYTES;
  return ece.encrypt(plaintext, {
    version: "aes128gcm",
    dh,
    privateKey: sender,
    salt: options.salt ?? randomBytes(16),
    authSecret,
    rs: 4096,
    pad: Math.max(0, padTo - plaintext.length),
  });
}
