import type { CiphersuiteImpl, MlsContext } from "ts-mls";
import type { CredentialRejection, PinnedIdentityLookup } from "../identity/authentication-service.ts";
import { createAuthenticationService } from "../identity/authentication-service.ts";

/**
 * What an {@link MlsGroup} needs from its engine (internal): the cipher suite and a way to make
 * an MLS context whose authentication service records why it rejected a credential during the
 * one operation it is used for.
 */
export interface MlsRuntime {
  readonly impl: CiphersuiteImpl;
  operationContext(): { context: MlsContext; rejections: CredentialRejection[] };
}

/** Build the runtime (internal). */
export function createMlsRuntime(
  impl: CiphersuiteImpl,
  lookup: PinnedIdentityLookup,
  onReject: ((code: CredentialRejection) => void) | undefined,
): MlsRuntime {
  return {
    impl,
    operationContext() {
      const rejections: CredentialRejection[] = [];
      const authService = createAuthenticationService(lookup, (code) => {
        rejections.push(code);
        onReject?.(code);
      });
      return { context: { cipherSuite: impl, authService }, rejections };
    },
  };
}
