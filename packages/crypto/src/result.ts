import type { CryptoErrorCode } from "./error-codes.ts";

/**
 * Outcome of an operation whose failure is expected in normal use (bad input from a peer or
 * a user). `code` is one of the documented {@link CryptoErrorCode}s.
 *
 * @example
 * ```ts
 * const parsed = parseRecoveryKey(input);
 * if (!parsed.ok) showError(cryptoErrorCodes[parsed.code]);
 * ```
 */
export type Result<T, C extends CryptoErrorCode = CryptoErrorCode> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: C };

/** Build a successful {@link Result}. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Build a failed {@link Result}. */
export function fail<C extends CryptoErrorCode>(code: C): { readonly ok: false; readonly code: C } {
  return { ok: false, code };
}
