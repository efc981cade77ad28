import { ByteReader, encodeVec16 } from "../internal/byte-reader.ts";
import { concatBytes, u32be, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { ArchiveKeyPair } from "./archive-key.ts";
import { archiveHpkeSuite, archiveKeyId } from "./archive-key.ts";

const VERSION = 1;
const ENC_BYTES = 32;

/** Where a content key belongs: bound into the HPKE info so a sealed key cannot be replayed elsewhere. */
export interface ArchiveBinding {
  readonly conversationId: string;
  readonly messageId: string;
}

function info(b: ArchiveBinding, generation: number): Uint8Array {
  return concatBytes(
    utf8ToBytes("hearth/archive/content-key/v1"),
    encodeVec16(utf8ToBytes(b.conversationId)),
    encodeVec16(utf8ToBytes(b.messageId)),
    u32be(generation),
  );
}

/**
 * Seal a message's content key to one participant's archive public key (HPKE base mode).
 * Layout: version ‖ generation (u32) ‖ keyId (8) ‖ enc (32) ‖ ciphertext.
 *
 * @example
 * ```ts
 * const sealed = await sealContentKey(contentKey, { publicKey, generation }, { conversationId, messageId });
 * ```
 */
export async function sealContentKey(
  contentKey: Uint8Array,
  recipient: { publicKey: Uint8Array; generation: number },
  binding: ArchiveBinding,
): Promise<Uint8Array> {
  const suite = archiveHpkeSuite();
  const recipientPublicKey = await suite.kem.deserializePublicKey(recipient.publicKey);
  const keyId = archiveKeyId(recipient.publicKey);
  const header = concatBytes(new Uint8Array([VERSION]), u32be(recipient.generation), keyId);
  const { enc, ct } = await suite.seal(
    { recipientPublicKey, info: info(binding, recipient.generation) },
    contentKey,
    header,
  );
  return concatBytes(header, new Uint8Array(enc), new Uint8Array(ct));
}

/** The parsed, still-sealed form (internal, but exported for property tests of the decoder). */
export interface SealedContentKey {
  readonly generation: number;
  readonly keyId: Uint8Array;
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly header: Uint8Array;
}

/** Parse a sealed content key without opening it. Never throws. */
export function decodeSealedContentKey(
  bytes: Uint8Array,
): Result<SealedContentKey, "archive_sealed_key_malformed"> {
  const r = new ByteReader(bytes);
  const version = r.u8();
  const generation = r.u32();
  const keyId = r.bytes(8);
  const enc = r.bytes(ENC_BYTES);
  // AES-128-GCM tag is 16 bytes; a content key is at least 16 bytes.
  const ciphertext = r.bytes(r.remaining);
  if (
    version !== VERSION ||
    generation === undefined ||
    keyId === undefined ||
    enc === undefined ||
    ciphertext === undefined ||
    ciphertext.length < 32 ||
    ciphertext.length > 1024
  ) {
    return fail("archive_sealed_key_malformed");
  }
  return ok({ generation, keyId, enc, ciphertext, header: bytes.slice(0, 13) });
}

/**
 * Open a sealed content key with the matching archive key pair (derive it from the root with
 * the sealed key's generation). Never throws for bad input.
 */
export async function openContentKey(
  sealed: Uint8Array,
  keyPair: ArchiveKeyPair,
  binding: ArchiveBinding,
): Promise<Result<Uint8Array, "archive_sealed_key_malformed" | "archive_open_failed">> {
  const parsed = decodeSealedContentKey(sealed);
  if (!parsed.ok) return parsed;
  const s = parsed.value;
  if (s.generation !== keyPair.generation || !s.keyId.every((b, i) => b === keyPair.keyId[i])) {
    return fail("archive_open_failed");
  }
  try {
    const pt = await archiveHpkeSuite().open(
      { recipientKey: keyPair.privateKey, enc: s.enc, info: info(binding, s.generation) },
      s.ciphertext,
      s.header,
    );
    return ok(new Uint8Array(pt));
  } catch {
    return fail("archive_open_failed");
  }
}
