import { AtRestCipher, type FieldCodec, PLAINTEXT_FIELDS } from "./field-codec.ts";

/** The codec of a storage: an {@link AtRestCipher} under `key`, or plaintext when there is none. */
export function codecFor(key: Uint8Array | undefined): FieldCodec {
  return key === undefined ? PLAINTEXT_FIELDS : new AtRestCipher(key);
}
