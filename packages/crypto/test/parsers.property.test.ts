import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSealedContentKey } from "../src/archive/sealed-content-key.ts";
import { decodeAttachmentHeader } from "../src/attachments/attachment-header.ts";
import type { CryptoErrorCode } from "../src/index.ts";
import {
  beginArchiveTransfer,
  completeArchiveTransfer,
  cryptoErrorCodes,
  decodeDeviceCertificate,
  decryptAttachment,
  deriveArchiveKeyPair,
  encryptAttachment,
  generateArchiveRoot,
  generateIdentityKeyPair,
  MlsEngine,
  openContentKey,
  parseRecoveryKey,
  recoveryKeyFromRoot,
  sendArchiveTransfer,
  verifySafetyNumberQr,
} from "../src/index.ts";
import { fromBase64Url, toBase64Url } from "../src/internal/bytes.ts";
import { createDeviceIdentity, decodeDeviceIdentity } from "../src/mls/device-identity.ts";
import { decodeKeyPackageBundle } from "../src/mls/key-package-bundle.ts";

/** A failed result must carry a documented code. */
function isDocumented(code: string): code is CryptoErrorCode {
  return Object.hasOwn(cryptoErrorCodes, code);
}

function expectCoded(r: { ok: boolean; code?: string }, allowed: readonly CryptoErrorCode[]): void {
  if (!r.ok) {
    expect(isDocumented(r.code ?? "")).toBe(true);
    expect(allowed).toContain(r.code);
  }
}

const bytes = fc.uint8Array({ maxLength: 600 });
const runs = { numRuns: 300 };

describe("property: every decoder turns arbitrary input into a value or a documented code", () => {
  it("recovery key parser (arbitrary strings, and one-character typos)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        expectCoded(parseRecoveryKey(s), [
          "recovery_key_malformed",
          "recovery_key_checksum",
          "recovery_key_unsupported_version",
        ]);
      }),
      runs,
    );
    const rk = recoveryKeyFromRoot(generateArchiveRoot()).replaceAll(" ", "");
    fc.assert(
      fc.property(
        fc.nat({ max: rk.length - 1 }),
        fc.constantFrom(..."0123456789ABCDEFGHJKMNPQRSTVWXYZ"),
        (i, c) => {
          fc.pre(rk[i] !== c);
          const r = parseRecoveryKey(rk.slice(0, i) + c + rk.slice(i + 1));
          // A 16-bit checksum misses about 1 in 65536 typos; the generator may hit one only rarely.
          if (r.ok) return;
          expect(["recovery_key_checksum", "recovery_key_unsupported_version"]).toContain(r.code);
        },
      ),
      runs,
    );
  });

  it("device certificate decoder (random bytes and mutations of a real certificate)", () => {
    const d = createDeviceIdentity(generateIdentityKeyPair(), { userId: "u", deviceId: "d" });
    fc.assert(
      fc.property(bytes, (b) => expectCoded(decodeDeviceCertificate(b), ["certificate_malformed"])),
      runs,
    );
    fc.assert(
      fc.property(bytes, (b) => expectCoded(decodeDeviceIdentity(b), ["certificate_malformed"])),
      runs,
    );
    expect(d.certificate.userId).toBe("u");
  });

  it("attachment header decoder and decryptAttachment", async () => {
    fc.assert(
      fc.property(bytes, (b) => expectCoded(decodeAttachmentHeader(b), ["attachment_header_invalid"])),
      runs,
    );
    const { blob, secret } = await encryptAttachment(new Uint8Array(3000), { chunkSize: 1024 });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: blob.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
        const tampered = blob.slice();
        tampered[i] = (tampered[i] ?? 0) ^ x;
        expect(await decryptAttachment(tampered, secret)).toEqual({ ok: false, code: "attachment_corrupt" });
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        expectCoded(await decryptAttachment(b, secret), ["attachment_corrupt"]);
      }),
      { numRuns: 100 },
    );
  });

  it("sealed content key decoder and opener", async () => {
    const kp = await deriveArchiveKeyPair(generateArchiveRoot());
    fc.assert(
      fc.property(bytes, (b) => expectCoded(decodeSealedContentKey(b), ["archive_sealed_key_malformed"])),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        expectCoded(await openContentKey(b, kp, { conversationId: "c", messageId: "m" }), [
          "archive_sealed_key_malformed",
          "archive_open_failed",
        ]);
      }),
      { numRuns: 100 },
    );
  });

  it("archive-transfer QR payload and message", () => {
    const root = generateArchiveRoot();
    const { session } = beginArchiveTransfer();
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) =>
        expectCoded(sendArchiveTransfer(s, root), ["transfer_qr_malformed"]),
      ),
      runs,
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 49, maxLength: 49 }), (b) =>
        expectCoded(sendArchiveTransfer(toBase64Url(b), root), ["transfer_qr_malformed"]),
      ),
      runs,
    );
    fc.assert(
      fc.property(
        fc.oneof(bytes, fc.uint8Array({ minLength: 81, maxLength: 81 })),
        fc.string({ maxLength: 8 }),
        (b, code) =>
          expectCoded(completeArchiveTransfer(session, b, code), [
            "transfer_message_malformed",
            "transfer_failed",
            "transfer_code_mismatch",
          ]),
      ),
      runs,
    );
  });

  it("safety-number QR payload", () => {
    const a = { userId: "a", identityPublicKey: generateIdentityKeyPair().publicKey };
    const b = { userId: "b", identityPublicKey: generateIdentityKeyPair().publicKey };
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), bytes.map(toBase64Url)), (s) =>
        expectCoded(verifySafetyNumberQr(s, a, b), ["safety_number_qr_malformed", "safety_number_mismatch"]),
      ),
      { numRuns: 100 },
    );
  });

  it("base64url decoder round-trips and rejects non-canonical text", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(fromBase64Url(toBase64Url(b))).toEqual(b);
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => {
        const d = fromBase64Url(s);
        if (d !== undefined) expect(toBase64Url(d)).toBe(s);
      }),
      runs,
    );
  });

  it("key package bundle decoder", () => {
    fc.assert(
      fc.property(bytes, (b) => expectCoded(decodeKeyPackageBundle(b), ["key_package_malformed"])),
      runs,
    );
  });

  it("MLS entry points: processMessage, joinFromWelcome, joinExternal, loadGroup, checkKeyPackage", async () => {
    const identity = generateIdentityKeyPair();
    const engine = await MlsEngine.create({ pinnedIdentity: () => identity.publicKey });
    const device = createDeviceIdentity(identity, { userId: "u", deviceId: "d" });
    const group = await engine.createGroup(device, "conv");
    const bundles = await engine.generateKeyPackages(device, 1);
    // MLSMessage framing prefix (version 1, each wire format) + arbitrary tail, to get past the
    // first byte checks and into the real decoders.
    const framed = fc
      .tuple(fc.integer({ min: 1, max: 5 }), bytes)
      .map(([wf, tail]) => new Uint8Array([0, 1, 0, wf, ...tail]));
    const input = fc.oneof(bytes, framed);
    await fc.assert(
      fc.asyncProperty(input, async (b) => {
        const r = await group.processMessage(b);
        if (r.kind === "error") expect(isDocumented(r.code)).toBe(true);
        else expect.fail(`unexpected ${r.kind}`);
        expectCoded(await engine.joinFromWelcome(b, bundles), [
          "mls_message_malformed",
          "mls_welcome_not_for_us",
          "mls_unauthenticated",
          "mls_rejected",
        ]);
        expectCoded(await engine.joinExternal(device, b), [
          "mls_message_malformed",
          "mls_unauthenticated",
          "mls_rejected",
        ]);
        expectCoded(engine.loadGroup(b), ["mls_state_malformed"]);
        expectCoded(await engine.checkKeyPackage(b), [
          "key_package_malformed",
          "certificate_malformed",
          "certificate_bad_signature",
          "certificate_identity_not_pinned",
          "certificate_key_mismatch",
        ]);
      }),
      { numRuns: 200 },
    );
    expect(group.epoch).toBe(0n);
  });
});

describe("error registry", () => {
  it("documents every code with a non-empty message", () => {
    for (const [code, message] of Object.entries(cryptoErrorCodes)) {
      expect(code).toMatch(/^[a-z_]+$/);
      expect(message.length).toBeGreaterThan(10);
    }
  });
});
