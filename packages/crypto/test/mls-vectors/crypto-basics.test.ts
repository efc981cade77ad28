import { bytesToHex } from "@noble/hashes/utils.js";
import type { CiphersuiteImpl } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  decryptWithLabel,
  deriveSecret,
  deriveTreeSecret,
  encryptWithLabel,
  expandWithLabel,
  refhash,
  signWithLabel,
  verifyWithLabel,
} from "../support/ts-mls-internals.ts";

interface CryptoBasicsCase {
  cipher_suite: number;
  ref_hash: { label: string; value: string; out: string };
  expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
  derive_secret: { secret: string; label: string; out: string };
  derive_tree_secret: { secret: string; label: string; generation: number; length: number; out: string };
  sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

async function run(x: CryptoBasicsCase, impl: CiphersuiteImpl): Promise<void> {
  const r = x.ref_hash;
  expect(bytesToHex(await refhash(r.label, hex(r.value), impl.hash))).toBe(r.out);

  const d = x.derive_secret;
  expect(bytesToHex(await deriveSecret(hex(d.secret), d.label, impl.kdf))).toBe(d.out);

  const t = x.derive_tree_secret;
  expect(bytesToHex(await deriveTreeSecret(hex(t.secret), t.label, t.generation, t.length, impl.kdf))).toBe(
    t.out,
  );

  const e = x.expand_with_label;
  expect(bytesToHex(await expandWithLabel(hex(e.secret), e.label, hex(e.context), e.length, impl.kdf))).toBe(
    e.out,
  );

  // VerifyWithLabel(pub, label, content, signature) and a fresh SignWithLabel round trip.
  const s = x.sign_with_label;
  expect(await verifyWithLabel(hex(s.pub), s.label, hex(s.content), hex(s.signature), impl.signature)).toBe(
    true,
  );
  const fresh = await signWithLabel(hex(s.priv), s.label, hex(s.content), impl.signature);
  expect(await verifyWithLabel(hex(s.pub), s.label, hex(s.content), fresh, impl.signature)).toBe(true);
  const otherLabel = `${s.label}x`;
  expect(
    await verifyWithLabel(hex(s.pub), otherLabel, hex(s.content), hex(s.signature), impl.signature),
  ).toBe(false);

  // DecryptWithLabel on the given ciphertext, then an EncryptWithLabel/DecryptWithLabel round trip.
  const h = x.encrypt_with_label;
  const priv = await impl.hpke.importPrivateKey(hex(h.priv));
  const pub = await impl.hpke.importPublicKey(hex(h.pub));
  const opened = await decryptWithLabel(
    priv,
    h.label,
    hex(h.context),
    hex(h.kem_output),
    hex(h.ciphertext),
    impl.hpke,
  );
  expect(bytesToHex(opened)).toBe(h.plaintext);
  const sealed = await encryptWithLabel(pub, h.label, hex(h.context), hex(h.plaintext), impl.hpke);
  const reopened = await decryptWithLabel(priv, h.label, hex(h.context), sealed.enc, sealed.ct, impl.hpke);
  expect(bytesToHex(reopened)).toBe(h.plaintext);
}

const plan = await planSuiteCases<CryptoBasicsCase>("crypto-basics.json");
describe("MLS vectors: crypto-basics.json", () => registerSuiteCases(plan, run));
