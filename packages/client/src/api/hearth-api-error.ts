import type { ErrorCode } from "@hearth/protocol";
import { isErrorCode } from "@hearth/protocol";

/**
 * What went wrong with an HTTP call: a protocol error code (docs/protocol.md) when the server refused,
 * or one of the SDK's own codes, each with status 0 unless the server answered:
 * - `network_error`: the server could not be reached, or did not answer within the timeout;
 * - `unexpected_response`: an answer that is not the protocol's (not JSON, or not the route's schema);
 * - `aborted`: the caller's `AbortSignal` cancelled the call.
 */
export type HearthApiErrorCode = ErrorCode | (typeof SDK_ERROR_CODES)[number];

/** The codes the SDK adds to the protocol's (documented in docs/sdk.md, "Errors and timeouts"). */
export const SDK_ERROR_CODES = ["network_error", "unexpected_response", "aborted"] as const;

/**
 * A refusal from the server, with its documented code (see docs/protocol.md) and HTTP status, or a
 * client-side failure (see {@link HearthApiErrorCode}).
 *
 * @example
 * try {
 *   await api.login(body);
 * } catch (err) {
 *   if (err instanceof HearthApiError && err.code === "login_failed") showWrongPassword();
 * }
 */
export class HearthApiError extends Error {
  readonly code: HearthApiErrorCode;
  readonly status: number;
  constructor(code: HearthApiErrorCode, status: number, message: string) {
    super(message);
    this.name = "HearthApiError";
    this.code = code;
    this.status = status;
  }
}

/**
 * The error a refusal (a non-2xx answer) stands for: its body's `code` when that is one of the
 * protocol's, else `unexpected_response`. `body` is the parsed JSON answer, or `undefined` when the
 * answer was not JSON.
 *
 * @example
 * throw decodeApiError(res.status, await res.json().catch(() => undefined));
 */
export function decodeApiError(status: number, body: unknown): HearthApiError {
  if (body === undefined)
    return new HearthApiError("unexpected_response", status, "The server's answer was not JSON.");
  const e = (body ?? {}) as { code?: unknown; message?: unknown };
  const code = isErrorCode(e.code) ? e.code : "unexpected_response";
  return new HearthApiError(code, status, typeof e.message === "string" ? e.message : code);
}
