import type { AuthenticationService, Credential } from "ts-mls";
import { defaultCredentialTypes } from "ts-mls";
import type { CryptoErrorCode } from "../error-codes.ts";
import { bytesEqual } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { DeviceCertificate } from "./device-certificate.ts";
import { decodeDeviceCertificate, verifyDeviceCertificate } from "./device-certificate.ts";

/**
 * Looks up the identity public key this device has pinned for a user (trust on first use,
 * or verified through the safety number). `undefined` means "unknown user": rejected.
 */
export type PinnedIdentityLookup = (
  userId: string,
) => Promise<Uint8Array | undefined> | Uint8Array | undefined;

/** Why a credential was rejected; a subset of {@link CryptoErrorCode}. */
export type CredentialRejection = Extract<
  CryptoErrorCode,
  | "certificate_malformed"
  | "certificate_bad_signature"
  | "certificate_identity_not_pinned"
  | "certificate_key_mismatch"
>;

/**
 * Check an MLS credential: it must be a basic credential whose identity is a Hearth
 * {@link DeviceCertificate} that (1) certifies exactly `signaturePublicKey`, (2) is signed by
 * the identity key it names, and (3) names the identity key pinned for that user.
 */
export async function checkCredential(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  lookup: PinnedIdentityLookup,
): Promise<Result<DeviceCertificate, CredentialRejection>> {
  if (credential.credentialType !== defaultCredentialTypes.basic || !("identity" in credential)) {
    return fail("certificate_malformed");
  }
  const decoded = decodeDeviceCertificate(credential.identity);
  if (!decoded.ok) return decoded;
  const cert = decoded.value;
  if (!bytesEqual(cert.deviceSignaturePublicKey, signaturePublicKey)) return fail("certificate_key_mismatch");
  if (!verifyDeviceCertificate(cert)) return fail("certificate_bad_signature");
  const pinned = await lookup(cert.userId);
  if (pinned === undefined || !bytesEqual(pinned, cert.identityPublicKey)) {
    return fail("certificate_identity_not_pinned");
  }
  return ok(cert);
}

/**
 * The ts-mls authentication service Hearth ships: it rejects every credential that does not
 * chain to the user's pinned identity key, so the server cannot slip a device into a group.
 * `onReject` is told why (for a "device could not be verified" notice); it must not throw.
 *
 * @example
 * ```ts
 * const auth = createAuthenticationService((userId) => pinnedKeys.get(userId));
 * ```
 */
export function createAuthenticationService(
  lookup: PinnedIdentityLookup,
  onReject?: (code: CredentialRejection) => void,
): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      const checked = await checkCredential(credential, signaturePublicKey, lookup);
      if (!checked.ok) onReject?.(checked.code);
      return checked.ok;
    },
  };
}
