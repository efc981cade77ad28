import { bytesToHex } from "@noble/hashes/utils.js";
import type { CiphersuiteImpl } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import { computePskSecret, pskTypes } from "../support/ts-mls-internals.ts";

interface PskSecretCase {
  cipher_suite: number;
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

async function run(x: PskSecretCase, impl: CiphersuiteImpl): Promise<void> {
  const psks = x.psks.map(
    (p) =>
      [{ psktype: pskTypes.external, pskId: hex(p.psk_id), pskNonce: hex(p.psk_nonce) }, hex(p.psk)] as [
        { psktype: typeof pskTypes.external; pskId: Uint8Array; pskNonce: Uint8Array },
        Uint8Array,
      ],
  );
  expect(bytesToHex(await computePskSecret(psks, impl))).toBe(x.psk_secret);
}

const plan = await planSuiteCases<PskSecretCase>("psk_secret.json");
describe("MLS vectors: psk_secret.json", () => registerSuiteCases(plan, run));
