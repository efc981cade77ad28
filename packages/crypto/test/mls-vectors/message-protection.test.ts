import type { CiphersuiteImpl, FramedContent, MlsMessage, PrivateMessage, PublicMessage } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  commitDecoder,
  commitEncoder,
  contentTypes,
  createContentCommitSignature,
  createSecretTree,
  decode,
  defaultKeyRetentionConfig,
  defaultPaddingConfig,
  encode,
  type GroupContext,
  mlsMessageDecoder,
  proposalDecoder,
  proposalEncoder,
  protect,
  protectApplicationData,
  protectProposal,
  protectProposalPublic,
  protectPublicMessage,
  protocolVersions,
  senderTypes,
  unprotectPrivateMessage,
  unprotectPublicMessage,
  wireformats,
} from "../support/ts-mls-internals.ts";

interface MessageProtectionCase {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_priv: string;
  proposal_pub: string;
  commit: string;
  commit_priv: string;
  commit_pub: string;
  application: string;
  application_priv: string;
}

// The vectors' sender is leaf 1 of a two-member group (test-vectors.md, "Message Protection").
const SENDER = 1;
const EMPTY = new Uint8Array();

function asPrivate(m: MlsMessage | undefined): PrivateMessage {
  if (m?.wireformat !== wireformats.mls_private_message) throw new Error("expected PrivateMessage");
  return m.privateMessage;
}

function asPublic(m: MlsMessage | undefined): PublicMessage {
  if (m?.wireformat !== wireformats.mls_public_message) throw new Error("expected PublicMessage");
  return m.publicMessage;
}

function contentBytes(content: FramedContent): Uint8Array {
  if (content.contentType === contentTypes.proposal) return encode(proposalEncoder, content.proposal);
  if (content.contentType === contentTypes.commit) return encode(commitEncoder, content.commit);
  return content.applicationData;
}

async function run(x: MessageProtectionCase, impl: CiphersuiteImpl): Promise<void> {
  const gc: GroupContext = {
    version: protocolVersions.mls10,
    cipherSuite: x.cipher_suite,
    groupId: hex(x.group_id),
    epoch: BigInt(x.epoch),
    treeHash: hex(x.tree_hash),
    confirmedTranscriptHash: hex(x.confirmed_transcript_hash),
    extensions: [],
  };
  const sigPub = hex(x.signature_pub);
  const sigPriv = hex(x.signature_priv);
  const membershipKey = hex(x.membership_key);
  const senderDataSecret = hex(x.sender_data_secret);
  const freshTree = () => createSecretTree(2, hex(x.encryption_secret));
  const unprotectPriv = (m: PrivateMessage) =>
    unprotectPrivateMessage(
      senderDataSecret,
      m,
      freshTree(),
      [],
      gc,
      defaultKeyRetentionConfig,
      impl,
      sigPub,
    );
  const unprotectPub = (m: PublicMessage) => unprotectPublicMessage(membershipKey, gc, [], m, impl, sigPub);

  const proposal = decode(proposalDecoder, hex(x.proposal));
  const commit = decode(commitDecoder, hex(x.commit));
  if (proposal === undefined || commit === undefined) throw new Error("proposal/commit did not decode");

  // 1. Unprotect the given messages; each must yield exactly the given content.
  const pubProposal = await unprotectPub(asPublic(decode(mlsMessageDecoder, hex(x.proposal_pub))));
  expect(contentBytes(pubProposal.content)).toEqual(hex(x.proposal));
  const pubCommit = await unprotectPub(asPublic(decode(mlsMessageDecoder, hex(x.commit_pub))));
  expect(contentBytes(pubCommit.content)).toEqual(hex(x.commit));
  for (const [wire, expected] of [
    [x.proposal_priv, x.proposal],
    [x.commit_priv, x.commit],
    [x.application_priv, x.application],
  ] as const) {
    const un = await unprotectPriv(asPrivate(decode(mlsMessageDecoder, hex(wire))));
    expect(contentBytes(un.content.content)).toEqual(hex(expected));
  }

  // 2. Protect the given content ourselves, then unprotect it: round trip in every wire format.
  const pp = await protectProposalPublic(sigPriv, membershipKey, gc, EMPTY, proposal, SENDER, impl);
  expect(contentBytes((await unprotectPub(pp.publicMessage)).content)).toEqual(hex(x.proposal));

  const commitSigned = await createContentCommitSignature(
    gc,
    "mls_public_message",
    commit,
    { senderType: senderTypes.member, leafIndex: SENDER },
    EMPTY,
    sigPriv,
    impl.signature,
  );
  const confirmationTag = impl.rng.randomBytes(impl.kdf.size);
  const pubCommitMsg = await protectPublicMessage(
    membershipKey,
    gc,
    {
      wireformat: wireformats.mls_public_message,
      content: commitSigned.framedContent,
      auth: { contentType: contentTypes.commit, signature: commitSigned.signature, confirmationTag },
    },
    impl,
  );
  expect(contentBytes((await unprotectPub(pubCommitMsg)).content)).toEqual(hex(x.commit));

  const privProposal = await protectProposal(
    sigPriv,
    senderDataSecret,
    proposal,
    EMPTY,
    gc,
    freshTree(),
    SENDER,
    defaultPaddingConfig,
    impl,
  );
  expect(contentBytes((await unprotectPriv(privProposal.privateMessage)).content.content)).toEqual(
    hex(x.proposal),
  );

  const privApp = await protectApplicationData(
    sigPriv,
    senderDataSecret,
    hex(x.application),
    EMPTY,
    gc,
    freshTree(),
    SENDER,
    defaultPaddingConfig,
    impl,
  );
  expect(contentBytes((await unprotectPriv(privApp.privateMessage)).content.content)).toEqual(
    hex(x.application),
  );

  const privCommitSigned = await createContentCommitSignature(
    gc,
    "mls_private_message",
    commit,
    { senderType: senderTypes.member, leafIndex: SENDER },
    EMPTY,
    sigPriv,
    impl.signature,
  );
  const privCommit = await protect(
    senderDataSecret,
    EMPTY,
    gc,
    freshTree(),
    {
      contentType: contentTypes.commit,
      commit,
      auth: { contentType: contentTypes.commit, signature: privCommitSigned.signature, confirmationTag },
    },
    SENDER,
    defaultPaddingConfig,
    impl,
  );
  expect(contentBytes((await unprotectPriv(privCommit.privateMessage)).content.content)).toEqual(
    hex(x.commit),
  );

  // 3. An application message must never be sent as a PublicMessage (RFC 9420 §6.2).
  const app = await unprotectPriv(asPrivate(decode(mlsMessageDecoder, hex(x.application_priv))));
  await expect(
    protectPublicMessage(
      membershipKey,
      gc,
      { wireformat: wireformats.mls_public_message, content: app.content.content, auth: app.content.auth },
      impl,
    ),
  ).rejects.toThrow();
}

const plan = await planSuiteCases<MessageProtectionCase>("message-protection.json");
describe("MLS vectors: message-protection.json", () => registerSuiteCases(plan, run));
