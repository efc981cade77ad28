import type { CiphersuiteImpl } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  contentTypes,
  createSecretTree,
  defaultKeyRetentionConfig,
  expandSenderDataKey,
  expandSenderDataNonce,
  type KeyRetentionConfig,
  type ReuseGuard,
  ratchetToGeneration,
} from "../support/ts-mls-internals.ts";

interface Generation {
  generation: number;
  handshake_key: string;
  handshake_nonce: string;
  application_key: string;
  application_nonce: string;
}

interface SecretTreeCase {
  cipher_suite: number;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  encryption_secret: string;
  leaves: Generation[][];
}

// The vectors jump straight to generations in the hundreds; our production limit on forward
// ratcheting is a DoS guard, not part of the derivation being checked.
const retention: KeyRetentionConfig = { ...defaultKeyRetentionConfig, maximumForwardRatchetSteps: 1 << 20 };

async function run(x: SecretTreeCase, impl: CiphersuiteImpl): Promise<void> {
  const sd = x.sender_data;
  expect(await expandSenderDataKey(impl, hex(sd.sender_data_secret), hex(sd.ciphertext))).toEqual(
    hex(sd.key),
  );
  expect(await expandSenderDataNonce(impl, hex(sd.sender_data_secret), hex(sd.ciphertext))).toEqual(
    hex(sd.nonce),
  );

  let tree = createSecretTree(x.leaves.length, hex(x.encryption_secret));
  for (const [leafIndex, generations] of x.leaves.entries()) {
    for (const g of generations) {
      const senderData = { leafIndex, generation: g.generation, reuseGuard: new Uint8Array(4) as ReuseGuard };
      const app = await ratchetToGeneration(tree, senderData, contentTypes.application, retention, impl);
      expect(app.generation).toBe(g.generation);
      expect(app.key).toEqual(hex(g.application_key));
      expect(app.nonce).toEqual(hex(g.application_nonce));
      const hs = await ratchetToGeneration(app.newTree, senderData, contentTypes.commit, retention, impl);
      expect(hs.generation).toBe(g.generation);
      expect(hs.key).toEqual(hex(g.handshake_key));
      expect(hs.nonce).toEqual(hex(g.handshake_nonce));
      tree = hs.newTree;
    }
  }
}

const plan = await planSuiteCases<SecretTreeCase>("secret-tree.json");
describe("MLS vectors: secret-tree.json", () => registerSuiteCases(plan, run));
