import type { CiphersuiteImpl } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  encode,
  type GroupContext,
  groupContextEncoder,
  initializeEpoch,
  mlsExporter,
  protocolVersions,
} from "../support/ts-mls-internals.ts";

interface Epoch {
  tree_hash: string;
  commit_secret: string;
  psk_secret: string;
  confirmed_transcript_hash: string;
  group_context: string;
  joiner_secret: string;
  welcome_secret: string;
  init_secret: string;
  sender_data_secret: string;
  encryption_secret: string;
  exporter_secret: string;
  epoch_authenticator: string;
  external_secret: string;
  confirmation_key: string;
  membership_key: string;
  resumption_psk: string;
  external_pub: string;
  exporter: { label: string; context: string; length: number; secret: string };
}

interface KeyScheduleCase {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: Epoch[];
}

async function run(x: KeyScheduleCase, impl: CiphersuiteImpl): Promise<void> {
  let initSecret = hex(x.initial_init_secret);
  for (const [index, e] of x.epochs.entries()) {
    const gc: GroupContext = {
      version: protocolVersions.mls10,
      cipherSuite: x.cipher_suite,
      groupId: hex(x.group_id),
      epoch: BigInt(index),
      treeHash: hex(e.tree_hash),
      confirmedTranscriptHash: hex(e.confirmed_transcript_hash),
      extensions: [],
    };
    expect(encode(groupContextEncoder, gc)).toEqual(hex(e.group_context));

    const s = await initializeEpoch(initSecret, hex(e.commit_secret), gc, hex(e.psk_secret), impl.kdf);
    expect(s.joinerSecret).toEqual(hex(e.joiner_secret));
    expect(s.welcomeSecret).toEqual(hex(e.welcome_secret));
    expect(s.encryptionSecret).toEqual(hex(e.encryption_secret));
    const k = s.keySchedule;
    expect(k.initSecret).toEqual(hex(e.init_secret));
    expect(k.senderDataSecret).toEqual(hex(e.sender_data_secret));
    expect(k.exporterSecret).toEqual(hex(e.exporter_secret));
    expect(k.epochAuthenticator).toEqual(hex(e.epoch_authenticator));
    expect(k.externalSecret).toEqual(hex(e.external_secret));
    expect(k.confirmationKey).toEqual(hex(e.confirmation_key));
    expect(k.membershipKey).toEqual(hex(e.membership_key));
    expect(k.resumptionPsk).toEqual(hex(e.resumption_psk));

    const { publicKey } = await impl.hpke.deriveKeyPair(k.externalSecret);
    expect(await impl.hpke.exportPublicKey(publicKey)).toEqual(hex(e.external_pub));

    const ex = e.exporter;
    expect(await mlsExporter(k.exporterSecret, ex.label, hex(ex.context), ex.length, impl)).toEqual(
      hex(ex.secret),
    );
    initSecret = k.initSecret;
  }
}

const plan = await planSuiteCases<KeyScheduleCase>("key-schedule.json");
describe("MLS vectors: key-schedule.json", () => registerSuiteCases(plan, run));
