import { type BlobId, isBlobId } from "@hearth/protocol";

/**
 * What a message says about an attached file. It travels only inside the message payload (which
 * the end-to-end-encryption codec encrypts); the server sees nothing but the opaque blob it names.
 * Plain data — strings and numbers — so every payload codec can carry it as JSON.
 */
export interface AttachmentRef {
  /** The uploaded, encrypted blob. */
  blobId: BlobId;
  /** File name as the sender chose it, 1–{@link MAX_ATTACHMENT_NAME_LENGTH} characters. */
  name: string;
  /** Media type, `type/subtype` (RFC 6838 characters, no parameters), e.g. `application/pdf`. */
  mimeType: string;
  /** Plaintext size in bytes. */
  size: number;
  /** SHA-256 of the encrypted blob, standard base64 (checked before decrypting). */
  sha256: string;
  /** The file's own AES-256-GCM key, standard base64 (32 bytes). */
  key: string;
  /** Optional caption, at most {@link MAX_CAPTION_LENGTH} characters. */
  caption?: string;
  /**
   * A recording's length in milliseconds (a voice note), measured by the sender's device while
   * recording, so a receiver shows it before downloading. Whole, 0–{@link MAX_DURATION_MS}.
   */
  durationMs?: number;
}

/** Longest recording length accepted in {@link AttachmentRef.durationMs}: one day. */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

/** Is `v` an acceptable recording length? */
export function isDurationMs(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= MAX_DURATION_MS;
}

/** Longest file name kept, in UTF-16 code units (common file systems allow 255). */
export const MAX_ATTACHMENT_NAME_LENGTH = 255;
/** Longest caption, in UTF-16 code units. */
export const MAX_CAPTION_LENGTH = 4096;

const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** Standard base64 of exactly 32 bytes. */
const B64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** Is `v` an acceptable file name? Control characters are refused (they hide the real name). */
export function isAttachmentName(v: unknown): v is string {
  return (
    typeof v === "string" &&
    v.length >= 1 &&
    v.length <= MAX_ATTACHMENT_NAME_LENGTH &&
    !hasControlCharacter(v)
  );
}

/** C0 controls and DEL: invisible in a file name, and can disguise it. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Is `v` a `type/subtype` media type? */
export function isMimeType(v: unknown): v is string {
  return typeof v === "string" && MIME.test(v);
}

/** Is `v` an acceptable caption? */
export function isCaption(v: unknown): v is string {
  return typeof v === "string" && v.length <= MAX_CAPTION_LENGTH;
}

/**
 * Validates an attachment reference from a decoded payload (`unknown` until then) and returns a copy
 * with only the known fields, or `undefined` when any field is missing or malformed. Never throws.
 */
export function parseAttachmentRef(v: unknown): AttachmentRef | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (
    !isBlobId(o.blobId) ||
    !isAttachmentName(o.name) ||
    !isMimeType(o.mimeType) ||
    typeof o.size !== "number" ||
    !Number.isSafeInteger(o.size) ||
    o.size < 0 ||
    typeof o.sha256 !== "string" ||
    !B64_32.test(o.sha256) ||
    typeof o.key !== "string" ||
    !B64_32.test(o.key) ||
    (o.caption !== undefined && !isCaption(o.caption)) ||
    (o.durationMs !== undefined && !isDurationMs(o.durationMs))
  ) {
    return undefined;
  }
  const ref: AttachmentRef = {
    blobId: o.blobId,
    name: o.name,
    mimeType: o.mimeType,
    size: o.size,
    sha256: o.sha256,
    key: o.key,
  };
  if (o.caption !== undefined) ref.caption = o.caption;
  if (o.durationMs !== undefined) ref.durationMs = o.durationMs;
  return ref;
}
