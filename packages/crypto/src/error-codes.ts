/**
 * Every reason code @hearth/crypto can report, with a safe, human-readable message.
 *
 * Expected failures (a corrupt attachment, a mistyped recovery key, a rejected credential) are
 * returned as data carrying one of these codes; exceptions are reserved for misuse. The messages
 * never include key material or content and may be shown to users or logged.
 */
export const cryptoErrorCodes = {
  certificate_malformed: "The device certificate could not be decoded.",
  certificate_bad_signature: "The device certificate is not signed by the identity key it names.",
  certificate_identity_not_pinned:
    "The device certificate names an identity key that is not the user's pinned key.",
  certificate_key_mismatch: "The device certificate does not certify this signature key.",
  safety_number_qr_malformed: "The scanned safety-number code could not be read.",
  safety_number_mismatch: "The scanned safety-number code does not match this conversation's identity keys.",
  attachment_header_invalid: "The attachment header is malformed or uses an unsupported version.",
  attachment_corrupt: "The attachment failed its integrity check (altered, truncated or reordered).",
  recovery_key_malformed:
    "The recovery key has the wrong length or contains characters that are not allowed.",
  recovery_key_checksum: "The recovery key checksum does not match; a character was probably mistyped.",
  recovery_key_unsupported_version: "The recovery key was made by an unsupported version.",
  archive_sealed_key_malformed: "The sealed archive key could not be decoded.",
  archive_open_failed: "The sealed archive key could not be opened with this archive key.",
  transfer_qr_malformed: "The device-transfer code could not be read.",
  transfer_message_malformed: "The device-transfer message could not be decoded.",
  transfer_failed: "The device-transfer message could not be decrypted for this session.",
  transfer_code_mismatch: "The confirmation code does not match the other device.",
  mls_message_malformed: "The MLS message could not be decoded.",
  mls_wrong_group: "The MLS message belongs to a different group.",
  mls_stale_epoch: "The MLS message is from an epoch this device no longer has keys for.",
  mls_future_epoch: "The MLS message is from a future epoch; a commit is missing.",
  mls_unauthenticated: "A credential in the MLS message does not chain to the user's pinned identity key.",
  mls_rejected: "The MLS message failed validation or decryption.",
  mls_insecure_epoch:
    "The message is from an epoch a removed device may still know; the group must be updated first.",
  archive_key_record_malformed: "The published archive key record could not be decoded.",
  archive_key_record_bad_signature: "The archive key record is not signed by the user's pinned identity key.",
  mls_state_malformed: "The stored MLS group state could not be decoded.",
  mls_welcome_not_for_us: "The Welcome is not addressed to any of this device's key packages.",
  key_package_malformed: "The key package could not be decoded or failed verification.",
} as const;

/** A documented reason code; see {@link cryptoErrorCodes}. */
export type CryptoErrorCode = keyof typeof cryptoErrorCodes;
