/**
 * ts-mls internals used only by the MLS test-vector suite.
 *
 * The official vectors exercise building blocks (tree math, key schedule, secret tree, TreeKEM…)
 * that ts-mls does not export from its package entry point, and its `exports` map forbids deep
 * package imports. We therefore import its compiled modules by relative path into the hoisted
 * `node_modules` (the layout `npm ci` produces from the root lockfile). If ts-mls is ever
 * un-hoisted or upgraded with a different layout, tsc and this suite fail loudly rather than
 * silently testing nothing. Production code (src/) must never import from here.
 */

export { authenticatedContentDecoder } from "../../../../node_modules/ts-mls/dist/src/authenticatedContent.js";
export { validateRatchetTree } from "../../../../node_modules/ts-mls/dist/src/clientState.js";
export { decode } from "../../../../node_modules/ts-mls/dist/src/codec/tlsDecoder.js";
export { encode } from "../../../../node_modules/ts-mls/dist/src/codec/tlsEncoder.js";
export {
  determineLength,
  varLenDataDecoder,
  varLenDataEncoder,
} from "../../../../node_modules/ts-mls/dist/src/codec/variableLength.js";
export { commitDecoder, commitEncoder } from "../../../../node_modules/ts-mls/dist/src/commit.js";
export { contentTypes } from "../../../../node_modules/ts-mls/dist/src/contentType.js";
export { applyUpdatePathSecret } from "../../../../node_modules/ts-mls/dist/src/createCommit.js";
export type { CiphersuiteImpl } from "../../../../node_modules/ts-mls/dist/src/crypto/ciphersuite.js";
export { refhash } from "../../../../node_modules/ts-mls/dist/src/crypto/hash.js";
export { decryptWithLabel, encryptWithLabel } from "../../../../node_modules/ts-mls/dist/src/crypto/hpke.js";
export { defaultCryptoProvider } from "../../../../node_modules/ts-mls/dist/src/crypto/implementation/default/provider.js";
export {
  deriveSecret,
  deriveTreeSecret,
  expandWithLabel,
} from "../../../../node_modules/ts-mls/dist/src/crypto/kdf.js";
export { signWithLabel, verifyWithLabel } from "../../../../node_modules/ts-mls/dist/src/crypto/signature.js";
export { defaultProposalTypes } from "../../../../node_modules/ts-mls/dist/src/defaultProposalType.js";
export { createContentCommitSignature } from "../../../../node_modules/ts-mls/dist/src/framedContent.js";
export type { GroupContext } from "../../../../node_modules/ts-mls/dist/src/groupContext.js";
export { groupContextEncoder } from "../../../../node_modules/ts-mls/dist/src/groupContext.js";
export {
  verifyGroupInfoConfirmationTag,
  verifyGroupInfoSignature,
} from "../../../../node_modules/ts-mls/dist/src/groupInfo.js";
export {
  groupSecretsDecoder,
  groupSecretsEncoder,
} from "../../../../node_modules/ts-mls/dist/src/groupSecrets.js";
export { makeKeyPackageRef } from "../../../../node_modules/ts-mls/dist/src/keyPackage.js";
export type { KeyRetentionConfig } from "../../../../node_modules/ts-mls/dist/src/keyRetentionConfig.js";
export { defaultKeyRetentionConfig } from "../../../../node_modules/ts-mls/dist/src/keyRetentionConfig.js";
export { initializeEpoch, mlsExporter } from "../../../../node_modules/ts-mls/dist/src/keySchedule.js";
export { verifyLeafNodeSignature } from "../../../../node_modules/ts-mls/dist/src/leafNode.js";
export { mlsMessageDecoder, mlsMessageEncoder } from "../../../../node_modules/ts-mls/dist/src/message.js";
export {
  protect,
  protectApplicationData,
  protectProposal,
  unprotectPrivateMessage,
} from "../../../../node_modules/ts-mls/dist/src/messageProtection.js";
export {
  protectProposalPublic,
  protectPublicMessage,
  unprotectPublicMessage,
} from "../../../../node_modules/ts-mls/dist/src/messageProtectionPublic.js";
export { MlsError } from "../../../../node_modules/ts-mls/dist/src/mlsError.js";
export { nodeTypes } from "../../../../node_modules/ts-mls/dist/src/nodeType.js";
export { defaultPaddingConfig } from "../../../../node_modules/ts-mls/dist/src/paddingConfig.js";
export { verifyParentHashes } from "../../../../node_modules/ts-mls/dist/src/parentHash.js";
export { getCommitSecret } from "../../../../node_modules/ts-mls/dist/src/pathSecrets.js";
export { computePskSecret, pskTypes } from "../../../../node_modules/ts-mls/dist/src/presharedkey.js";
export type { PrivateKeyPath } from "../../../../node_modules/ts-mls/dist/src/privateKeyPath.js";
export { toPrivateKeyPath } from "../../../../node_modules/ts-mls/dist/src/privateKeyPath.js";
export {
  addDecoder,
  addEncoder,
  externalInitDecoder,
  externalInitEncoder,
  groupContextExtensionsDecoder,
  groupContextExtensionsEncoder,
  proposalDecoder,
  proposalEncoder,
  pskDecoder,
  pskEncoder,
  reinitDecoder,
  reinitEncoder,
  removeDecoder,
  removeEncoder,
  updateDecoder,
  updateEncoder,
} from "../../../../node_modules/ts-mls/dist/src/proposal.js";
export { protocolVersions } from "../../../../node_modules/ts-mls/dist/src/protocolVersion.js";
export type { RatchetTree } from "../../../../node_modules/ts-mls/dist/src/ratchetTree.js";
export {
  addLeafNodeMutable,
  getHpkePublicKey,
  ratchetTreeDecoder,
  ratchetTreeEncoder,
  removeLeafNodeMutable,
  resolution,
  updateLeafNodeMutable,
} from "../../../../node_modules/ts-mls/dist/src/ratchetTree.js";
export {
  createSecretTree,
  ratchetToGeneration,
} from "../../../../node_modules/ts-mls/dist/src/secretTree.js";
export type { ReuseGuard } from "../../../../node_modules/ts-mls/dist/src/sender.js";
export {
  expandSenderDataKey,
  expandSenderDataNonce,
  senderTypes,
} from "../../../../node_modules/ts-mls/dist/src/sender.js";
export {
  createConfirmedHash,
  createInterimHash,
} from "../../../../node_modules/ts-mls/dist/src/transcriptHash.js";
export { treeHash, treeHashRoot } from "../../../../node_modules/ts-mls/dist/src/treeHash.js";
export {
  leafToNodeIndex,
  left,
  nodeToLeafIndex,
  nodeWidth,
  parent,
  right,
  root,
  sibling,
  toLeafIndex,
  toNodeIndex,
} from "../../../../node_modules/ts-mls/dist/src/treemath.js";
export type { UpdatePath } from "../../../../node_modules/ts-mls/dist/src/updatePath.js";
export {
  applyUpdatePath,
  createUpdatePath,
  updatePathDecoder,
} from "../../../../node_modules/ts-mls/dist/src/updatePath.js";
export { decryptGroupInfo, decryptGroupSecrets } from "../../../../node_modules/ts-mls/dist/src/welcome.js";
export { wireformats } from "../../../../node_modules/ts-mls/dist/src/wireformat.js";
