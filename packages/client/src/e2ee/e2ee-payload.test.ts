import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeE2eePayload,
  type E2eePayload,
  encodeE2eePayload,
  mlsPlaintext,
  parseTransferQr,
  splitMlsPlaintext,
} from "./e2ee-payload.ts";

const payload = fc.record({
  mls: fc.uint8Array({ maxLength: 200 }),
  archiveCiphertext: fc.uint8Array({ maxLength: 200 }),
  sealedKeys: fc
    .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 80 })), {
      selector: (t) => t[0],
      maxLength: 5,
    })
    .map((entries) => new Map(entries)),
  certificate: fc.uint8Array({ maxLength: 200 }),
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

describe("end-to-end encrypted payload format", () => {
  it("round-trips every payload (property)", () => {
    fc.assert(
      fc.property(payload, (p: E2eePayload) => {
        expect(decodeE2eePayload(encodeE2eePayload(p))).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary bytes, truncations or appended bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        const r = decodeE2eePayload(Uint8Array.of(0x48, 0x45, 0x01, ...b));
        expect(r === undefined || typeof r === "object").toBe(true);
        expect(decodeE2eePayload(b)).not.toBe(0);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(payload, fc.nat(), (p, cut) => {
        const bytes = encodeE2eePayload(p);
        expect(decodeE2eePayload(bytes.subarray(0, cut % bytes.length))).toBeUndefined();
        expect(decodeE2eePayload(Uint8Array.of(...bytes, 0))).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it("reports a newer version as unsupported, and non-payloads as malformed", () => {
    expect(decodeE2eePayload(Uint8Array.of(0x48, 0x45, 0x02, 0, 0))).toBe("unsupported_version");
    expect(decodeE2eePayload(new TextEncoder().encode('{"v":1,"text":"hi"}'))).toBeUndefined();
  });

  it("binds the MLS plaintext to its message id (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), fc.uint8Array({ maxLength: 100 }), (id, content) => {
        expect(splitMlsPlaintext(mlsPlaintext(id, content))).toEqual({ messageId: id, content });
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (b) => {
        const r = splitMlsPlaintext(b);
        expect(r === undefined || typeof r.messageId === "string").toBe(true);
      }),
    );
  });

  it("parses device-transfer QR texts: valid ones round-trip, anything else is refused (property)", () => {
    const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/);
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{16,43}$/).map((s) => `trf_${s}`);
    fc.assert(
      fc.property(id, b64url, (transferId, cryptoQr) => {
        expect(parseTransferQr(`${transferId}.${cryptoQr}`)).toEqual({ transferId, cryptoQr });
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseTransferQr(s);
        if (r) expect(s.trim()).toBe(`${r.transferId}.${r.cryptoQr}`);
      }),
      { numRuns: 500 },
    );
    expect(parseTransferQr("no-dot-here")).toBeUndefined();
    expect(parseTransferQr("trf_short.AAAA")).toBeUndefined();
  });
});
