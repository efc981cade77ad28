/**
 * WebSocket close codes of protocol version 1, shared by the server (which closes with them) and the
 * SDK (which reads them). The 4000–4999 range is the application's own (RFC 6455 section 7.4.2).
 */
export const CloseCode = {
  /** The client or server ended the connection on purpose (sign-out, `client.close()`). */
  normal: 1000,
  /** The server is shutting down or asks the device to resync; reconnect after backoff. */
  goingAway: 1001,
  /** A frame far over the size limit (closed by the WebSocket layer before buffering it). */
  tooBig: 1009,
  /** The server restarts (proxies send it too); reconnect after backoff. */
  serviceRestart: 1012,
  /**
   * The connection broke the protocol beyond a coded error: sent by the SDK when it drops a socket it
   * no longer trusts (a request timeout, an unfillable sequence gap), and by the server to a socket
   * that keeps sending what it must not before `hello`.
   */
  protocolError: 4000,
  /** The session token is unknown, expired or revoked (also: this device was signed out). Do not retry. */
  tokenInvalid: 4001,
  /** No `hello` arrived within the server's `helloTimeoutMs`. */
  helloTimeout: 4002,
  /** The device could not keep up (its send buffer grew too large); reconnect and resume from cursors. */
  slowConsumer: 4003,
} as const;

/** One of the close codes above. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** What a close code means to a client: end for good (`token_invalid`), or reconnect for a reason. */
export type CloseReason =
  | "token_invalid"
  | "protocol_error"
  | "hello_timeout"
  | "slow_consumer"
  | "server_restart"
  | "network";

/**
 * The meaning of a close code a client received. Unknown codes (and 1006, an abnormal closure with
 * no close frame) mean the network failed.
 *
 * @example
 * ws.onclose = (ev) => (closeReason(ev.code) === "token_invalid" ? signOut() : reconnectLater());
 */
export function closeReason(code: number): CloseReason {
  switch (code) {
    case CloseCode.tokenInvalid:
      return "token_invalid";
    case CloseCode.protocolError:
    case CloseCode.tooBig:
      return "protocol_error";
    case CloseCode.helloTimeout:
      return "hello_timeout";
    case CloseCode.slowConsumer:
      return "slow_consumer";
    case CloseCode.goingAway:
    case CloseCode.serviceRestart:
      return "server_restart";
    default:
      return "network";
  }
}
