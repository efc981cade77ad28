/** Shared passive-client vector check (test-vectors.md, "Passive Client"), driven through ts-mls's public API. */
import type { CiphersuiteImpl, ClientConfig, ClientState, MlsContext } from "ts-mls";
import {
  bytesToBase64,
  decode,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  joinGroup,
  mlsMessageDecoder,
  processMessage,
  unsafeTestingAuthenticationService,
  wireformats,
} from "ts-mls";
import { expect } from "vitest";
import { hex } from "./mls-vectors.ts";
import { ratchetTreeDecoder } from "./ts-mls-internals.ts";

/** One passive-client case. */
export interface PassiveClientCase {
  cipher_suite: number;
  external_psks: { psk_id: string; psk: string }[];
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

// The vectors were generated long ago with basic credentials: lifetimes are not checked, and the
// test-only authentication service is used (never in src/, where credentials must chain to a
// pinned identity key).
const clientConfig: ClientConfig = {
  keyRetentionConfig: defaultKeyRetentionConfig,
  lifetimeConfig: { ...defaultLifetimeConfig, validateLifetimeOnReceive: false },
  keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
  paddingConfig: defaultPaddingConfig,
};

async function apply(context: MlsContext, state: ClientState, bytes: string): Promise<ClientState> {
  const m = decode(mlsMessageDecoder, hex(bytes));
  if (m?.wireformat !== wireformats.mls_private_message && m?.wireformat !== wireformats.mls_public_message) {
    throw new Error("expected a framed message");
  }
  return (await processMessage({ context, state, message: m })).newState;
}

/** Join from the Welcome, then process every epoch's proposals and commit, checking epoch authenticators. */
export async function runPassiveClientCase(x: PassiveClientCase, impl: CiphersuiteImpl): Promise<void> {
  const kp = decode(mlsMessageDecoder, hex(x.key_package));
  if (kp?.wireformat !== wireformats.mls_key_package) throw new Error("key_package did not decode");
  const welcome = decode(mlsMessageDecoder, hex(x.welcome));
  if (welcome?.wireformat !== wireformats.mls_welcome) throw new Error("welcome did not decode");
  const externalPsks: Record<string, Uint8Array> = {};
  for (const p of x.external_psks) externalPsks[bytesToBase64(hex(p.psk_id))] = hex(p.psk);
  const context: MlsContext = {
    cipherSuite: impl,
    authService: unsafeTestingAuthenticationService,
    externalPsks,
    clientConfig,
  };
  const ratchetTree = x.ratchet_tree === null ? undefined : decode(ratchetTreeDecoder, hex(x.ratchet_tree));
  let state = await joinGroup({
    context,
    welcome: welcome.welcome,
    keyPackage: kp.keyPackage,
    privateKeys: {
      initPrivateKey: hex(x.init_priv),
      hpkePrivateKey: hex(x.encryption_priv),
      signaturePrivateKey: hex(x.signature_priv),
    },
    ...(ratchetTree === undefined ? {} : { ratchetTree }),
  });
  expect(state.keySchedule.epochAuthenticator).toEqual(hex(x.initial_epoch_authenticator));
  for (const [i, epoch] of x.epochs.entries()) {
    for (const p of epoch.proposals) state = await apply(context, state, p);
    state = await apply(context, state, epoch.commit);
    expect(state.keySchedule.epochAuthenticator, `epoch ${i}`).toEqual(hex(epoch.epoch_authenticator));
  }
}
