/**
 * The end-to-end encrypted message payload (what the server stores as a message `body`):
 *
 * ```
 * "HE" 0x01                                  magic and version
 * u32 len ‖ mls                              MLS PrivateMessage (empty when the sender was not in the group)
 * u32 len ‖ archiveCiphertext                the same content under a fresh content key (archive layer)
 * u16 n ‖ n × (vec16 userId ‖ vec16 sealed)  the content key sealed to each participant's archive key
 * vec16 certificate                          the sender device's certificate (identity-key signed)
 * signature (64)                             the sender device's signature over the archive part
 * ```
 *
 * The MLS plaintext is `vec16(messageId) ‖ content JSON`, binding it to its log entry.
 */

/** A parsed payload. */
export interface E2eePayload {
  mls: Uint8Array;
  archiveCiphertext: Uint8Array;
  sealedKeys: Map<string, Uint8Array>;
  certificate: Uint8Array;
  signature: Uint8Array;
}

const MAGIC = [0x48, 0x45, 0x01] as const;
/** Largest payload accepted (a frame is 256 KiB of base64). */
export const MAX_PAYLOAD_BYTES = 512 * 1024;
const MAX_RECIPIENTS = 256;
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}
function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `u16 length ‖ bytes` (throws above 65535 bytes: misuse). */
export function vec16(b: Uint8Array): Uint8Array {
  if (b.length > 0xffff) throw new RangeError("vec16 too long");
  return concat(u16(b.length), b);
}

/** Encodes a payload. Throws only for misuse (oversized parts). */
export function encodeE2eePayload(p: E2eePayload): Uint8Array {
  if (p.sealedKeys.size > MAX_RECIPIENTS) throw new RangeError("too many recipients");
  const keys: Uint8Array[] = [];
  for (const [userId, sealed] of p.sealedKeys) keys.push(vec16(enc.encode(userId)), vec16(sealed));
  if (p.signature.length !== 64) throw new RangeError("signature must be 64 bytes");
  return concat(
    Uint8Array.from(MAGIC),
    u32(p.mls.length),
    p.mls,
    u32(p.archiveCiphertext.length),
    p.archiveCiphertext,
    u16(p.sealedKeys.size),
    ...keys,
    vec16(p.certificate),
    p.signature,
  );
}

/** Whether the bytes start like an encrypted payload (else they may be a plain JSON one). */
export function looksEncrypted(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === MAGIC[0] && b[1] === MAGIC[1];
}

/**
 * Parses a payload. Never throws: `undefined` for anything malformed, `"unsupported_version"` for
 * a version this client does not know.
 */
export function decodeE2eePayload(b: Uint8Array): E2eePayload | "unsupported_version" | undefined {
  if (b.length > MAX_PAYLOAD_BYTES || b.length < 3 || b[0] !== MAGIC[0] || b[1] !== MAGIC[1])
    return undefined;
  if (b[2] !== MAGIC[2]) return "unsupported_version";
  let o = 3;
  const take = (n: number): Uint8Array | undefined => {
    if (n < 0 || o + n > b.length) return undefined;
    const out = b.subarray(o, o + n);
    o += n;
    return out;
  };
  const n16 = () => {
    const x = take(2);
    return x && ((x[0] ?? 0) << 8) | (x[1] ?? 0);
  };
  const n32 = () => {
    const x = take(4);
    return x && (((x[0] ?? 0) << 24) >>> 0) + (((x[1] ?? 0) << 16) | ((x[2] ?? 0) << 8) | (x[3] ?? 0));
  };
  const v16 = () => {
    const n = n16();
    return n === undefined ? undefined : take(n);
  };
  const v32 = () => {
    const n = n32();
    return n === undefined ? undefined : take(n);
  };
  const mls = v32();
  const archiveCiphertext = v32();
  const count = n16();
  if (mls === undefined || archiveCiphertext === undefined || count === undefined || count > MAX_RECIPIENTS)
    return undefined;
  const sealedKeys = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const user = v16();
    const sealed = v16();
    if (user === undefined || sealed === undefined || user.length === 0) return undefined;
    let userId: string;
    try {
      userId = dec.decode(user);
    } catch {
      return undefined;
    }
    if (sealedKeys.has(userId)) return undefined;
    sealedKeys.set(userId, sealed.slice());
  }
  const certificate = v16();
  const signature = take(64);
  if (certificate === undefined || signature === undefined || o !== b.length) return undefined;
  return {
    mls: mls.slice(),
    archiveCiphertext: archiveCiphertext.slice(),
    sealedKeys,
    certificate: certificate.slice(),
    signature: signature.slice(),
  };
}

/** What the sender signs: the archive part, bound to its conversation and message. */
export function signedPart(
  conversationId: string,
  messageId: string,
  archiveCiphertext: Uint8Array,
): Uint8Array {
  return concat(vec16(enc.encode(conversationId)), vec16(enc.encode(messageId)), archiveCiphertext);
}

/** The MLS plaintext: `vec16(messageId) ‖ content bytes`. */
export function mlsPlaintext(messageId: string, content: Uint8Array): Uint8Array {
  return concat(vec16(enc.encode(messageId)), content);
}

/** Splits an MLS plaintext; `undefined` if malformed. */
export function splitMlsPlaintext(p: Uint8Array): { messageId: string; content: Uint8Array } | undefined {
  if (p.length < 2) return undefined;
  const n = ((p[0] ?? 0) << 8) | (p[1] ?? 0);
  if (p.length < 2 + n) return undefined;
  try {
    return { messageId: dec.decode(p.subarray(2, 2 + n)), content: p.subarray(2 + n) };
  } catch {
    return undefined;
  }
}

const TRANSFER_ID = /^trf_[A-Za-z0-9_-]{16,43}$/;

/**
 * Splits the device-transfer QR text `transferId "." cryptoQr` (the part after the dot is the
 * crypto layer's `base64url(0x01 ‖ ephemeralPub ‖ secret)`). `undefined` for anything else.
 */
export function parseTransferQr(qr: string): { transferId: string; cryptoQr: string } | undefined {
  if (typeof qr !== "string" || qr.length > 300) return undefined;
  const text = qr.trim();
  const dot = text.indexOf(".");
  if (dot <= 0) return undefined;
  const transferId = text.slice(0, dot);
  const cryptoQr = text.slice(dot + 1);
  if (!TRANSFER_ID.test(transferId) || !/^[A-Za-z0-9_-]{1,200}$/.test(cryptoQr)) return undefined;
  return { transferId, cryptoQr };
}
