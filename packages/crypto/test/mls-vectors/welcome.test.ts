import type { CiphersuiteImpl } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  decode,
  decryptGroupInfo,
  decryptGroupSecrets,
  makeKeyPackageRef,
  mlsMessageDecoder,
  verifyGroupInfoConfirmationTag,
  verifyGroupInfoSignature,
  wireformats,
} from "../support/ts-mls-internals.ts";

interface WelcomeCase {
  cipher_suite: number;
  init_priv: string;
  signer_pub: string;
  key_package: string;
  welcome: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function run(x: WelcomeCase, impl: CiphersuiteImpl): Promise<void> {
  const w = decode(mlsMessageDecoder, hex(x.welcome));
  if (w?.wireformat !== wireformats.mls_welcome) throw new Error("welcome did not decode");
  const kp = decode(mlsMessageDecoder, hex(x.key_package));
  if (kp?.wireformat !== wireformats.mls_key_package) throw new Error("key package did not decode");

  const ref = await makeKeyPackageRef(kp.keyPackage, impl.hash);
  expect(w.welcome.secrets.some((s) => sameBytes(s.newMember, ref))).toBe(true);

  const initPriv = await impl.hpke.importPrivateKey(hex(x.init_priv));
  const secrets = await decryptGroupSecrets(initPriv, ref, w.welcome, impl.hpke);
  if (secrets === undefined) throw new Error("group secrets did not decrypt");

  // No PSKs in these vectors: psk_secret is the all-zero string of KDF.Nh bytes.
  const pskSecret = new Uint8Array(impl.kdf.size);
  const gi = await decryptGroupInfo(w.welcome, secrets.joinerSecret, pskSecret, impl);
  if (gi === undefined) throw new Error("group info did not decrypt");
  expect(await verifyGroupInfoSignature(gi, hex(x.signer_pub), impl.signature)).toBe(true);
  expect(await verifyGroupInfoConfirmationTag(gi, secrets.joinerSecret, pskSecret, impl)).toBe(true);
}

const plan = await planSuiteCases<WelcomeCase>("welcome.json");
describe("MLS vectors: welcome.json", () => registerSuiteCases(plan, run));
