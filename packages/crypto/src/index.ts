/**
 * @hearth/crypto — end-to-end encryption for Hearth: MLS groups (over ts-mls), device identity
 * and verification, encrypted attachments, and the archive layer for history on new devices.
 * Runs in browsers and Node: no `node:*` imports, WebCrypto and @noble only.
 *
 * The public surface is listed explicitly below; everything else is internal.
 */

export type { ArchiveEnvelope, ArchiveRecipient } from "./archive/archive-envelope.ts";
export { createArchiveEnvelope, openArchiveEnvelope } from "./archive/archive-envelope.ts";
export type { ArchiveKeyPair, ArchiveRoot } from "./archive/archive-key.ts";
export { ARCHIVE_ROOT_BYTES, deriveArchiveKeyPair, generateArchiveRoot } from "./archive/archive-key.ts";
export type { ArchiveKeyRecord } from "./archive/archive-key-record.ts";
export {
  openArchiveKeyRecord,
  sameArchiveKey,
  signArchiveKeyRecord,
} from "./archive/archive-key-record.ts";
export type { ArchiveTransferSession } from "./archive/archive-transfer.ts";
export {
  archiveTransferCode,
  beginArchiveTransfer,
  completeArchiveTransfer,
  sendArchiveTransfer,
} from "./archive/archive-transfer.ts";
export { parseRecoveryKey, recoveryKeyFromRoot } from "./archive/recovery-key.ts";
export type { ArchiveBinding, SealedContentKey } from "./archive/sealed-content-key.ts";
export { decodeSealedContentKey, openContentKey, sealContentKey } from "./archive/sealed-content-key.ts";
export type {
  AttachmentProgress,
  AttachmentSecret,
  EncryptedAttachment,
} from "./attachments/attachment-cipher.ts";
export { DEFAULT_CHUNK_SIZE, decryptAttachment, encryptAttachment } from "./attachments/attachment-cipher.ts";
export type { AttachmentHeader } from "./attachments/attachment-header.ts";
export { decodeAttachmentHeader } from "./attachments/attachment-header.ts";
export type { CryptoErrorCode } from "./error-codes.ts";
export { cryptoErrorCodes } from "./error-codes.ts";
export type { CredentialRejection, PinnedIdentityLookup } from "./identity/authentication-service.ts";
export { checkCredential, createAuthenticationService } from "./identity/authentication-service.ts";
export type { DeviceCertificate } from "./identity/device-certificate.ts";
export {
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  issueDeviceCertificate,
  verifyDeviceCertificate,
} from "./identity/device-certificate.ts";
export { signAsDevice, verifyDeviceSignature } from "./identity/device-signature.ts";
export type { IdentityKeyPair } from "./identity/identity-key.ts";
export {
  generateIdentityKeyPair,
  identityKeyPairFromArchiveRoot,
  identityKeyPairFromSeed,
} from "./identity/identity-key.ts";
export type { SafetyNumberParty } from "./identity/safety-number.ts";
export {
  formatSafetyNumber,
  safetyNumber,
  safetyNumberQrPayload,
  verifySafetyNumberQr,
} from "./identity/safety-number.ts";
export type { DeviceIdentity } from "./mls/device-identity.ts";
export {
  createDeviceIdentity,
  decodeDeviceIdentity,
  deviceCredential,
  encodeDeviceIdentity,
} from "./mls/device-identity.ts";
export type { KeyPackageBundle } from "./mls/key-package-bundle.ts";
export { decodeKeyPackageBundle, encodeKeyPackageBundle } from "./mls/key-package-bundle.ts";
export type { MlsEngineOptions } from "./mls/mls-engine.ts";
export { HEARTH_CIPHER_SUITE, LAST_RESORT_EXTENSION_TYPE, MlsEngine } from "./mls/mls-engine.ts";
export type { MlsFailureCode, MlsIncoming, MlsMember, PendingCommit } from "./mls/mls-group.ts";
export { MlsGroup } from "./mls/mls-group.ts";
export type { Result } from "./result.ts";
