import { concatBytes, randomBytes, toArrayBufferView, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { ArchiveKeyPair } from "./archive-key.ts";
import type { ArchiveBinding } from "./sealed-content-key.ts";
import { openContentKey, sealContentKey } from "./sealed-content-key.ts";

/** One participant's current archive public key. */
export interface ArchiveRecipient {
  readonly userId: string;
  readonly publicKey: Uint8Array;
  readonly generation: number;
}

/**
 * A message prepared for the archive: the content encrypted under a fresh content key, and
 * that key sealed to each participant. The server stores it; only archive-key holders open it.
 */
export interface ArchiveEnvelope {
  /** 12-byte nonce ‖ AES-256-GCM ciphertext of the message content. */
  readonly ciphertext: Uint8Array;
  /** Sealed content key per recipient user id. */
  readonly sealedKeys: ReadonlyMap<string, Uint8Array>;
}

function aad(b: ArchiveBinding): Uint8Array<ArrayBuffer> {
  return toArrayBufferView(
    concatBytes(
      utf8ToBytes("hearth/archive/content/v1\u0000"),
      utf8ToBytes(b.conversationId),
      new Uint8Array([0]),
      utf8ToBytes(b.messageId),
    ),
  );
}

/**
 * Encrypt message content for the archive and seal its key to every recipient.
 *
 * @example
 * ```ts
 * const env = await createArchiveEnvelope(plaintext, participants, { conversationId, messageId });
 * ```
 */
export async function createArchiveEnvelope(
  content: Uint8Array,
  recipients: readonly ArchiveRecipient[],
  binding: ArchiveBinding,
): Promise<ArchiveEnvelope> {
  const contentKey = randomBytes(32);
  const key = await globalThis.crypto.subtle.importKey(
    "raw",
    toArrayBufferView(contentKey),
    "AES-GCM",
    false,
    ["encrypt"],
  );
  const iv = toArrayBufferView(randomBytes(12));
  const ct = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(binding) },
    key,
    toArrayBufferView(content),
  );
  const sealedKeys = new Map<string, Uint8Array>();
  for (const r of recipients) sealedKeys.set(r.userId, await sealContentKey(contentKey, r, binding));
  contentKey.fill(0);
  return { ciphertext: concatBytes(iv, new Uint8Array(ct)), sealedKeys };
}

/** Open an archived message with the recipient's archive key pair. Never throws for bad input. */
export async function openArchiveEnvelope(
  ciphertext: Uint8Array,
  sealedKey: Uint8Array,
  keyPair: ArchiveKeyPair,
  binding: ArchiveBinding,
): Promise<Result<Uint8Array, "archive_sealed_key_malformed" | "archive_open_failed">> {
  const opened = await openContentKey(sealedKey, keyPair, binding);
  if (!opened.ok) return opened;
  if (opened.value.length !== 32 || ciphertext.length < 28) return fail("archive_open_failed");
  try {
    const key = await globalThis.crypto.subtle.importKey(
      "raw",
      toArrayBufferView(opened.value),
      "AES-GCM",
      false,
      ["decrypt"],
    );
    const pt = await globalThis.crypto.subtle.decrypt(
      { name: "AES-GCM", iv: toArrayBufferView(ciphertext.subarray(0, 12)), additionalData: aad(binding) },
      key,
      toArrayBufferView(ciphertext.subarray(12)),
    );
    return ok(new Uint8Array(pt));
  } catch {
    return fail("archive_open_failed");
  }
}
