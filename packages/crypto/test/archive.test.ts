import { describe, expect, it } from "vitest";
import {
  beginArchiveTransfer,
  completeArchiveTransfer,
  createArchiveEnvelope,
  deriveArchiveKeyPair,
  generateArchiveRoot,
  openArchiveEnvelope,
  openContentKey,
  parseRecoveryKey,
  recoveryKeyFromRoot,
  sealContentKey,
  sendArchiveTransfer,
} from "../src/index.ts";

const text = (s: string) => new TextEncoder().encode(s);
const binding = { conversationId: "conv_1", messageId: "msg_1" };

describe("archive sealing", () => {
  it("seals a content key to each participant; only they open it, only for that message", async () => {
    const therapist = await deriveArchiveKeyPair(generateArchiveRoot());
    const client = await deriveArchiveKeyPair(generateArchiveRoot());
    const env = await createArchiveEnvelope(
      text("session notes"),
      [
        { userId: "u_t", publicKey: therapist.publicKey, generation: 0 },
        { userId: "u_c", publicKey: client.publicKey, generation: 0 },
      ],
      binding,
    );
    const forT = env.sealedKeys.get("u_t");
    const forC = env.sealedKeys.get("u_c");
    if (forT === undefined || forC === undefined) throw new Error("missing sealed key");
    const opened = await openArchiveEnvelope(env.ciphertext, forT, therapist, binding);
    expect(opened.ok && new TextDecoder().decode(opened.value)).toBe("session notes");
    expect((await openArchiveEnvelope(env.ciphertext, forC, client, binding)).ok).toBe(true);
    expect(await openArchiveEnvelope(env.ciphertext, forC, therapist, binding)).toEqual({
      ok: false,
      code: "archive_open_failed",
    });
    expect(
      await openArchiveEnvelope(env.ciphertext, forT, therapist, { ...binding, messageId: "msg_2" }),
    ).toEqual({
      ok: false,
      code: "archive_open_failed",
    });
  });

  it("a restored root reproduces every generation's key", async () => {
    const root = generateArchiveRoot();
    const gen3 = await deriveArchiveKeyPair(root, 3);
    const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const sealed = await sealContentKey(key, { publicKey: gen3.publicKey, generation: 3 }, binding);
    const restored = parseRecoveryKey(recoveryKeyFromRoot(root));
    if (!restored.ok) throw new Error(restored.code);
    const again = await deriveArchiveKeyPair(restored.value, 3);
    expect(await openContentKey(sealed, again, binding)).toEqual({ ok: true, value: key });
    expect((await openContentKey(sealed, await deriveArchiveKeyPair(restored.value, 2), binding)).ok).toBe(
      false,
    );
  });
});

describe("recovery key", () => {
  it("is 14 groups of 4 and parses back, forgiving case, dashes and look-alikes", () => {
    const root = generateArchiveRoot();
    const rk = recoveryKeyFromRoot(root);
    expect(rk).toMatch(/^([0-9A-HJKMNP-TV-Z]{4} ){13}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(parseRecoveryKey(rk)).toEqual({ ok: true, value: root });
    const sloppy = rk.toLowerCase().replaceAll(" ", "-").replaceAll("0", "o").replaceAll("1", "l");
    expect(parseRecoveryKey(sloppy)).toEqual({ ok: true, value: root });
  });

  it("reports typos and malformed input with their codes", () => {
    const rk = recoveryKeyFromRoot(generateArchiveRoot());
    const i = 10;
    const typo = rk.slice(0, i) + (rk[i] === "A" ? "B" : "A") + rk.slice(i + 1);
    expect(parseRecoveryKey(typo)).toEqual({ ok: false, code: "recovery_key_checksum" });
    expect(parseRecoveryKey(rk.slice(0, -1))).toEqual({ ok: false, code: "recovery_key_malformed" });
    expect(parseRecoveryKey(`${rk.slice(0, -1)}U`)).toEqual({ ok: false, code: "recovery_key_malformed" });
    expect(parseRecoveryKey("")).toEqual({ ok: false, code: "recovery_key_malformed" });
  });
});

describe("archive transfer to a new device", () => {
  it("moves the root when the typed code matches", () => {
    const root = generateArchiveRoot();
    const { qrPayload, session } = beginArchiveTransfer();
    const sent = sendArchiveTransfer(qrPayload, root);
    if (!sent.ok) throw new Error(sent.code);
    expect(sent.value.confirmationCode).toMatch(/^\d{6}$/);
    expect(completeArchiveTransfer(session, sent.value.message, sent.value.confirmationCode)).toEqual({
      ok: true,
      value: root,
    });
  });

  it("a wrong code, a tampered message or a server-substituted message is refused", () => {
    const root = generateArchiveRoot();
    const { qrPayload, session } = beginArchiveTransfer();
    const sent = sendArchiveTransfer(qrPayload, root);
    if (!sent.ok) throw new Error(sent.code);
    const wrong = sent.value.confirmationCode === "000000" ? "000001" : "000000";
    expect(completeArchiveTransfer(session, sent.value.message, wrong)).toEqual({
      ok: false,
      code: "transfer_code_mismatch",
    });
    const tampered = sent.value.message.slice();
    tampered[40] = (tampered[40] ?? 0) ^ 1;
    expect(completeArchiveTransfer(session, tampered, sent.value.confirmationCode)).toEqual({
      ok: false,
      code: "transfer_failed",
    });
    // The server does not know the QR secret, so it cannot produce a message this session accepts,
    // even for a root of its choosing sent to a QR payload it invented.
    const attacker = beginArchiveTransfer();
    const forged = sendArchiveTransfer(attacker.qrPayload, generateArchiveRoot());
    if (!forged.ok) throw new Error(forged.code);
    expect(completeArchiveTransfer(session, forged.value.message, forged.value.confirmationCode).ok).toBe(
      false,
    );
    // A low-order point as the old device's key is refused.
    const lowOrder = sent.value.message.slice();
    lowOrder.fill(0, 1, 33);
    expect(completeArchiveTransfer(session, lowOrder, sent.value.confirmationCode)).toEqual({
      ok: false,
      code: "transfer_failed",
    });
    expect(sendArchiveTransfer("garbage", root)).toEqual({ ok: false, code: "transfer_qr_malformed" });
  });
});
