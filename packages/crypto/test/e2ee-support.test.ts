import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  archiveTransferCode,
  beginArchiveTransfer,
  createDeviceIdentity,
  cryptoErrorCodes,
  deriveArchiveKeyPair,
  generateArchiveRoot,
  generateIdentityKeyPair,
  identityKeyPairFromArchiveRoot,
  MlsEngine,
  openArchiveKeyRecord,
  sendArchiveTransfer,
  signArchiveKeyRecord,
  signAsDevice,
  verifyDeviceSignature,
} from "../src/index.ts";

describe("identity from the archive root", () => {
  it("is deterministic per root and differs between roots", () => {
    const root = generateArchiveRoot();
    const a = identityKeyPairFromArchiveRoot(root);
    const b = identityKeyPairFromArchiveRoot({ seed: root.seed.slice() });
    expect(a.publicKey).toEqual(b.publicKey);
    expect(identityKeyPairFromArchiveRoot(generateArchiveRoot()).publicKey).not.toEqual(a.publicKey);
    expect(() => identityKeyPairFromArchiveRoot({ seed: new Uint8Array(31) })).toThrow(RangeError);
  });
});

describe("archive key record", () => {
  it("opens under the identity key that signed it, and under no other", async () => {
    const identity = generateIdentityKeyPair();
    const pair = await deriveArchiveKeyPair(generateArchiveRoot(), 3);
    const rec = signArchiveKeyRecord(identity, { userId: "usr_x", generation: 3, publicKey: pair.publicKey });
    const r = openArchiveKeyRecord(rec, identity.publicKey);
    expect(r).toEqual({ ok: true, value: { userId: "usr_x", generation: 3, publicKey: pair.publicKey } });
    expect(openArchiveKeyRecord(rec, generateIdentityKeyPair().publicKey)).toEqual({
      ok: false,
      code: "archive_key_record_bad_signature",
    });
    // Any flipped bit is refused with a code.
    for (let i = 0; i < rec.length; i++) {
      const bad = rec.slice();
      bad[i] = (bad[i] ?? 0) ^ 1;
      const o = openArchiveKeyRecord(bad, identity.publicKey);
      expect(o.ok).toBe(false);
    }
  });

  it("answers arbitrary bytes with a value or a documented code, never a throw (property)", () => {
    const identity = generateIdentityKeyPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 40 }), (bytes, key) => {
        for (const k of [identity.publicKey, key]) {
          const r = openArchiveKeyRecord(bytes, k);
          if (!r.ok) expect(Object.hasOwn(cryptoErrorCodes, r.code)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("device signatures", () => {
  it("verify under the certificate of the signing device, for the same label and message only", () => {
    const identity = generateIdentityKeyPair();
    const device = createDeviceIdentity(identity, { userId: "usr_a", deviceId: "dev_a" });
    const other = createDeviceIdentity(identity, { userId: "usr_a", deviceId: "dev_b" });
    const msg = new TextEncoder().encode("archive part");
    const sig = signAsDevice(device, "hearth/message/v1", msg);
    expect(verifyDeviceSignature(device.certificate, "hearth/message/v1", msg, sig)).toBe(true);
    expect(verifyDeviceSignature(other.certificate, "hearth/message/v1", msg, sig)).toBe(false);
    expect(verifyDeviceSignature(device.certificate, "other/label", msg, sig)).toBe(false);
    expect(verifyDeviceSignature(device.certificate, "hearth/message/v1", msg.slice(1), sig)).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (junk) => {
        expect(verifyDeviceSignature(device.certificate, "hearth/message/v1", msg, junk)).toBe(false);
      }),
    );
  });
});

describe("MlsEngine.verifyKeyPackage", () => {
  it("returns the certificate of a key package under the pinned identity, a code otherwise", async () => {
    const identity = generateIdentityKeyPair();
    const device = createDeviceIdentity(identity, { userId: "usr_a", deviceId: "dev_a" });
    const engine = await MlsEngine.create({ pinnedIdentity: () => identity.publicKey });
    const [kp] = await engine.generateKeyPackages(device, 1);
    const r = await engine.verifyKeyPackage(kp!.keyPackage);
    expect(r.ok && r.value.deviceId).toBe("dev_a");
    const strict = await MlsEngine.create({ pinnedIdentity: () => generateIdentityKeyPair().publicKey });
    expect(await strict.verifyKeyPackage(kp!.keyPackage)).toEqual({
      ok: false,
      code: "certificate_identity_not_pinned",
    });
    expect(await engine.verifyKeyPackage(Uint8Array.of(1, 2, 3))).toEqual({
      ok: false,
      code: "key_package_malformed",
    });
  });
});

describe("archiveTransferCode", () => {
  it("derives on the new device the code the old device shows", () => {
    const { qrPayload, session } = beginArchiveTransfer();
    const sent = sendArchiveTransfer(qrPayload, generateArchiveRoot());
    if (!sent.ok) throw new Error(sent.code);
    expect(archiveTransferCode(session, sent.value.message)).toEqual({
      ok: true,
      value: sent.value.confirmationCode,
    });
  });

  it("answers arbitrary messages with a code or a 6-digit string (property)", () => {
    const { session } = beginArchiveTransfer();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (m) => {
        const r = archiveTransferCode(session, m);
        if (r.ok) expect(r.value).toMatch(/^\d{6}$/);
        else expect(["transfer_message_malformed", "transfer_failed"]).toContain(r.code);
      }),
      { numRuns: 300 },
    );
  });
});
