import type { GroupInfo, KeyPackage, MlsFramedMessage, MlsMessage, Welcome } from "ts-mls";
import { decode, encode, mlsMessageDecoder, mlsMessageEncoder, protocolVersions, wireformats } from "ts-mls";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";

/** Largest MLS message we will try to decode (DoS guard; matches the server's frame limit order). */
export const MAX_MLS_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Decode any MLSMessage without throwing (internal). */
export function decodeMlsMessage(bytes: Uint8Array): MlsMessage | undefined {
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) return undefined;
  try {
    const m = decode(mlsMessageDecoder, bytes);
    return m?.version === protocolVersions.mls10 ? m : undefined;
  } catch {
    // ts-mls decoders mostly return undefined, but some refuse values by throwing.
    return undefined;
  }
}

/** Decode an MLSMessage that must hold a KeyPackage. */
export function decodeKeyPackageMessage(bytes: Uint8Array): Result<KeyPackage, "key_package_malformed"> {
  const m = decodeMlsMessage(bytes);
  return m?.wireformat === wireformats.mls_key_package ? ok(m.keyPackage) : fail("key_package_malformed");
}

/** Decode an MLSMessage that must hold a Welcome. */
export function decodeWelcomeMessage(bytes: Uint8Array): Welcome | undefined {
  const m = decodeMlsMessage(bytes);
  return m?.wireformat === wireformats.mls_welcome ? m.welcome : undefined;
}

/** Decode an MLSMessage that must hold a GroupInfo. */
export function decodeGroupInfoMessage(bytes: Uint8Array): GroupInfo | undefined {
  const m = decodeMlsMessage(bytes);
  return m?.wireformat === wireformats.mls_group_info ? m.groupInfo : undefined;
}

/** Decode a Public- or PrivateMessage. */
export function decodeFramedMessage(bytes: Uint8Array): MlsFramedMessage | undefined {
  const m = decodeMlsMessage(bytes);
  return m?.wireformat === wireformats.mls_private_message || m?.wireformat === wireformats.mls_public_message
    ? m
    : undefined;
}

/** Encode any MLSMessage. */
export function encodeMlsMessage(m: MlsMessage): Uint8Array {
  return encode(mlsMessageEncoder, m);
}

/** Wrap a GroupInfo as an MLSMessage and encode it. */
export function encodeGroupInfoMessage(groupInfo: GroupInfo): Uint8Array {
  return encode(mlsMessageEncoder, {
    wireformat: wireformats.mls_group_info,
    version: protocolVersions.mls10,
    groupInfo,
  });
}
