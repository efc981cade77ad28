/**
 * Bounds-checked cursor for our own binary formats. Every read returns `undefined` instead of
 * throwing when the input is too short, so decoders can turn any malformed input into a code.
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** One unsigned byte. */
  u8(): number | undefined {
    if (this.remaining < 1) return undefined;
    const v = this.#bytes[this.#offset];
    this.#offset += 1;
    return v;
  }

  /** Big-endian unsigned 16-bit integer. */
  u16(): number | undefined {
    const b = this.bytes(2);
    return b === undefined ? undefined : ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  }

  /** Big-endian unsigned 32-bit integer. */
  u32(): number | undefined {
    const b = this.bytes(4);
    return b === undefined ? undefined : new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }

  /** Big-endian unsigned 64-bit integer, refused above 2^53 - 1. */
  u64(): number | undefined {
    const b = this.bytes(8);
    if (b === undefined) return undefined;
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
  }

  /** Exactly `n` bytes (a copy). */
  bytes(n: number): Uint8Array | undefined {
    if (n < 0 || this.remaining < n) return undefined;
    const out = this.#bytes.slice(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** A u16-length-prefixed byte string. */
  vec16(): Uint8Array | undefined {
    const n = this.u16();
    return n === undefined ? undefined : this.bytes(n);
  }

  /** A u16-length-prefixed UTF-8 string; `undefined` on invalid UTF-8. */
  string16(): string | undefined {
    const b = this.vec16();
    if (b === undefined) return undefined;
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(b);
    } catch {
      return undefined;
    }
  }
}

/** Encode a u16-length-prefixed byte string; throws on misuse (over 65535 bytes). */
export function encodeVec16(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new RangeError("field longer than 65535 bytes");
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length >> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}
