/**
 * The one registry of error codes shared by server and clients. Each code has a safe, human message
 * (never containing user data) and the HTTP status it maps to. WebSocket `error` frames carry the
 * same codes. docs/protocol.md documents every code; a test checks that it does.
 */
export const ERRORS = {
  bad_request: { status: 400, message: "The request is not valid." },
  malformed_json: { status: 400, message: "The body is not valid JSON." },
  invalid_frame: { status: 400, message: "The frame does not match the protocol schema." },
  unknown_frame_type: { status: 400, message: "The frame type is not known to this protocol version." },
  frame_too_large: { status: 413, message: "The frame or body is larger than the configured limit." },
  unauthenticated: { status: 401, message: "Sign in first." },
  token_invalid: { status: 401, message: "The session token is unknown, expired or revoked." },
  login_failed: { status: 401, message: "The login or password is wrong." },
  locked_out: { status: 429, message: "Too many failed attempts; try again later." },
  rate_limited: { status: 429, message: "Too many requests; slow down." },
  forbidden: { status: 403, message: "You are not allowed to do this." },
  not_found: { status: 404, message: "Not found." },
  setup_done: { status: 409, message: "This server has already been set up." },
  setup_token_invalid: { status: 401, message: "The setup link is not valid." },
  invite_invalid: {
    status: 410,
    message: "The invite link is not valid: it has expired, was withdrawn or was already used.",
  },
  name_invalid: {
    status: 400,
    message: "A name may not hold control, formatting or text-direction characters.",
  },
  password_wrong: { status: 403, message: "The current password is wrong; nothing was changed." },
  login_taken: { status: 409, message: "That login is already in use." },
  message_conflict: { status: 409, message: "That message id is already used for different content." },
  not_sender: { status: 403, message: "Only the sender can delete a message for everyone." },
  stale_commit: { status: 409, message: "Another commit for this epoch came first; process it and retry." },
  identity_exists: { status: 409, message: "This account already has a different identity key." },
  not_a_member_device: { status: 400, message: "A welcome is addressed to a device that is not a member's." },
  transfer_full: { status: 409, message: "This transfer mailbox already holds a message." },
  blob_too_large: { status: 413, message: "The attachment is larger than this server accepts." },
  blob_quota_exceeded: { status: 413, message: "Your attachments have used up your storage on this server." },
  already_authenticated: { status: 400, message: "This connection is already signed in." },
  hello_timeout: { status: 401, message: "No hello frame arrived in time." },
  account_deactivated: {
    status: 403,
    message: "This account has been deactivated. Ask your practice's admin to reactivate it.",
  },
  link_invalid: {
    status: 410,
    message: "This sign-in link is not valid: it has expired, was withdrawn or was already used.",
  },
  internal: { status: 500, message: "Something went wrong on the server." },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable, documented error code. */
export type ErrorCode = keyof typeof ERRORS;

/** All error codes, for documentation checks and exhaustive handling. */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The JSON body of every HTTP error response, and the payload of a WebSocket `error` frame. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** For validation errors: the path of the first failing field, e.g. `"body.conversationId"`. */
  path?: string;
}

/** Builds the safe error body for a code. */
export function errorBody(code: ErrorCode, path?: string): ErrorBody {
  return path === undefined
    ? { code, message: ERRORS[code].message }
    : { code, message: ERRORS[code].message, path };
}

/** Is `v` a known error code? */
export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === "string" && Object.hasOwn(ERRORS, v);
}
