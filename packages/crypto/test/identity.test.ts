import { defaultCredentialTypes } from "ts-mls";
import { describe, expect, it } from "vitest";
import {
  checkCredential,
  createAuthenticationService,
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  formatSafetyNumber,
  generateIdentityKeyPair,
  identityKeyPairFromSeed,
  issueDeviceCertificate,
  safetyNumber,
  safetyNumberQrPayload,
  verifyDeviceCertificate,
  verifySafetyNumberQr,
} from "../src/index.ts";
import { createDeviceIdentity, deviceCredential } from "../src/mls/device-identity.ts";

describe("device certificates", () => {
  it("round-trips and verifies; any change breaks the signature", () => {
    const identity = generateIdentityKeyPair();
    const device = createDeviceIdentity(identity, { userId: "u_1", deviceId: "d_ü" });
    const bytes = encodeDeviceCertificate(device.certificate);
    const back = decodeDeviceCertificate(bytes);
    expect(back).toEqual({ ok: true, value: device.certificate });
    expect(verifyDeviceCertificate(device.certificate)).toBe(true);
    for (let i = 0; i < bytes.length; i += 7) {
      const tampered = bytes.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      const d = decodeDeviceCertificate(tampered);
      if (d.ok) expect(verifyDeviceCertificate(d.value)).toBe(false);
    }
  });

  it("identity key pairs rebuild from their seed", () => {
    const a = generateIdentityKeyPair();
    expect(identityKeyPairFromSeed(a.secretKey).publicKey).toEqual(a.publicKey);
    expect(() => identityKeyPairFromSeed(new Uint8Array(31))).toThrow(RangeError);
  });

  it("refuses empty ids as misuse", () => {
    const identity = generateIdentityKeyPair();
    expect(() =>
      issueDeviceCertificate(identity, {
        userId: "",
        deviceId: "d",
        deviceSignaturePublicKey: new Uint8Array(32),
      }),
    ).toThrow(RangeError);
  });
});

describe("authentication service", () => {
  const alice = generateIdentityKeyPair();
  const pins = new Map([["u_alice", alice.publicKey]]);
  const lookup = (id: string) => pins.get(id);

  it("accepts a device certified by the pinned key", async () => {
    const d = createDeviceIdentity(alice, { userId: "u_alice", deviceId: "d1" });
    const r = await checkCredential(deviceCredential(d), d.signaturePublicKey, lookup);
    expect(r.ok && r.value.deviceId).toBe("d1");
    expect(
      await createAuthenticationService(lookup).validateCredential(deviceCredential(d), d.signaturePublicKey),
    ).toBe(true);
  });

  it("rejects each way a credential can fail to chain, with its reason", async () => {
    const rejected: string[] = [];
    const as = createAuthenticationService(lookup, (code) => rejected.push(code));
    const d = createDeviceIdentity(alice, { userId: "u_alice", deviceId: "d1" });
    const other = createDeviceIdentity(alice, { userId: "u_alice", deviceId: "d2" });
    // 1. A certificate for another key than the leaf's signature key.
    expect(await as.validateCredential(deviceCredential(d), other.signaturePublicKey)).toBe(false);
    // 2. Signed by a key that is not the pinned one (e.g. the server's).
    const forged = createDeviceIdentity(generateIdentityKeyPair(), { userId: "u_alice", deviceId: "d3" });
    expect(await as.validateCredential(deviceCredential(forged), forged.signaturePublicKey)).toBe(false);
    // 3. Unknown user.
    const bob = createDeviceIdentity(generateIdentityKeyPair(), { userId: "u_bob", deviceId: "d" });
    expect(await as.validateCredential(deviceCredential(bob), bob.signaturePublicKey)).toBe(false);
    // 4. Not a certificate at all / a signature that does not verify.
    const basic = {
      credentialType: defaultCredentialTypes.basic,
      identity: new TextEncoder().encode("alice"),
    };
    expect(await as.validateCredential(basic, d.signaturePublicKey)).toBe(false);
    const badSig = { ...d.certificate, signature: new Uint8Array(64) };
    const badCred = {
      credentialType: defaultCredentialTypes.basic,
      identity: encodeDeviceCertificate(badSig),
    };
    expect(await as.validateCredential(badCred, d.signaturePublicKey)).toBe(false);
    // 5. An x509 credential.
    expect(
      await as.validateCredential(
        { credentialType: defaultCredentialTypes.x509, certificates: [] },
        d.signaturePublicKey,
      ),
    ).toBe(false);
    expect(rejected).toEqual([
      "certificate_key_mismatch",
      "certificate_identity_not_pinned",
      "certificate_identity_not_pinned",
      "certificate_malformed",
      "certificate_bad_signature",
      "certificate_malformed",
    ]);
  });
});

describe("safety number", () => {
  const a = { userId: "u_therapist", identityPublicKey: generateIdentityKeyPair().publicKey };
  const b = { userId: "u_client", identityPublicKey: generateIdentityKeyPair().publicKey };

  it("is 60 digits, the same on both sides, and changes when a key changes", () => {
    const n = safetyNumber(a, b);
    expect(n).toMatch(/^\d{60}$/);
    expect(safetyNumber(b, a)).toBe(n);
    expect(formatSafetyNumber(n).split(" ")).toHaveLength(12);
    const b2 = { ...b, identityPublicKey: generateIdentityKeyPair().publicKey };
    expect(safetyNumber(a, b2)).not.toBe(n);
  });

  it("is stable for fixed keys (regression pin)", () => {
    const fixed = (seed: number, userId: string) => ({
      userId,
      identityPublicKey: identityKeyPairFromSeed(new Uint8Array(32).fill(seed)).publicKey,
    });
    const n = safetyNumber(fixed(1, "u_a"), fixed(2, "u_b"));
    expect(n).toBe(safetyNumber(fixed(2, "u_b"), fixed(1, "u_a")));
    expect(n).toBe("255150261217598808736827989890029486919638960427597765431426");
  });

  it("QR: the code one side shows verifies on the other side only", () => {
    const shownByB = safetyNumberQrPayload(b, a);
    expect(verifySafetyNumberQr(shownByB, a, b)).toEqual({ ok: true, value: true });
    const mitm = { ...b, identityPublicKey: generateIdentityKeyPair().publicKey };
    expect(verifySafetyNumberQr(safetyNumberQrPayload(mitm, a), a, b)).toEqual({
      ok: false,
      code: "safety_number_mismatch",
    });
    expect(verifySafetyNumberQr("not a code", a, b)).toEqual({
      ok: false,
      code: "safety_number_qr_malformed",
    });
  });
});
