import { createECDH, randomBytes } from "node:crypto";
import ece from "http_ece";
import { describe, expect, it } from "vitest";
import { encryptPush, PUSH_PLAINTEXT_BYTES } from "./push-crypto.ts";

/** RFC 8291 Appendix A ("Push Message Encryption Example"), verbatim. */
const RFC8291 = {
  plaintext: "When I grow up, I want to be a watermelon",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  authSecret: "BTBZMqHH6r4Tts7J_aSIgg",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  body:
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

const b64u = (s: string) => Buffer.from(s, "base64url");

describe("encryptPush (RFC 8291)", () => {
  it("reproduces RFC 8291 Appendix A byte for byte", () => {
    const body = encryptPush(
      Buffer.from(RFC8291.plaintext),
      { p256dh: RFC8291.uaPublic, auth: RFC8291.authSecret },
      { senderPrivateKey: b64u(RFC8291.asPrivate), salt: b64u(RFC8291.salt), padTo: 0 },
    );
    expect(body.toString("base64url")).toBe(RFC8291.body);
  });

  it("is decrypted by the receiver's private key, padded to a fixed length, fresh every time", () => {
    const ua = createECDH("prime256v1");
    ua.generateKeys();
    const auth = randomBytes(16);
    const keys = { p256dh: ua.getPublicKey().toString("base64url"), auth: auth.toString("base64url") };
    const short = encryptPush(Buffer.from("{}"), keys);
    const long = encryptPush(Buffer.from("x".repeat(100)), keys);
    // Same length whatever the payload: header (86) + padded plaintext + delimiter (1) + tag (16).
    expect(short.length).toBe(86 + PUSH_PLAINTEXT_BYTES + 1 + 16);
    expect(long.length).toBe(short.length);
    expect(ece.decrypt(short, { version: "aes128gcm", privateKey: ua, authSecret: auth }).toString()).toBe(
      "{}",
    );
    // A new salt and sender key for every push.
    expect(encryptPush(Buffer.from("{}"), keys).subarray(0, 86)).not.toEqual(short.subarray(0, 86));
  });
});
