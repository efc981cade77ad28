import { describe, expect, it } from "vitest";
import { hex, loadVectors } from "../support/mls-vectors.ts";
import {
  decode,
  determineLength,
  encode,
  varLenDataDecoder,
  varLenDataEncoder,
} from "../support/ts-mls-internals.ts";

interface DeserializationCase {
  vlbytes_header: string;
  length: number;
}

const cases = loadVectors<DeserializationCase>("deserialization.json");

describe("MLS vectors: deserialization.json (suite-independent variable-length headers)", () => {
  for (const [index, x] of cases.entries()) {
    it(`deserialization.json #${index} (length ${x.length})`, () => {
      const header = hex(x.vlbytes_header);
      expect(determineLength(header).length).toBe(x.length);
      expect(determineLength(header).lengthFieldSize).toBe(header.length);
      // Encoding a payload of that length must produce the same (minimal) header.
      if (x.length <= 1 << 16) {
        const encoded = encode(varLenDataEncoder, new Uint8Array(x.length));
        expect(encoded.subarray(0, header.length)).toEqual(header);
        expect(decode(varLenDataDecoder, encoded)?.length).toBe(x.length);
      }
    });
  }
  it("coverage: deserialization.json", () => {
    console.info(`deserialization.json: ${cases.length}/${cases.length} cases run`);
    expect(cases.length).toBeGreaterThan(0);
  });
});
