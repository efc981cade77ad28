/**
 * The client's connection states. Transitions (one `setState`, each emitted as a `state` event):
 *
 * ```
 * disconnected ─connect()→ connecting ─socket open, hello sent→ authenticating ─ready→ syncing
 *      ↑                        │                                    │                 │ synced
 *      └──── lost (reason), reconnect after backoff ─────────────────┴─────── connected
 * any ─close() or token refused→ closed (final)
 * ```
 */
export enum State {
  /** No socket; a reconnect may be scheduled (after `connect()` and a loss). */
  Disconnected = "disconnected",
  /** Opening the WebSocket. */
  Connecting = "connecting",
  /** Socket open, `hello` sent, waiting for `ready`. */
  Authenticating = "authenticating",
  /** Signed in; receiving what was missed. The outbox waits until `connected`. */
  Syncing = "syncing",
  /** Up to date; live events flow and the outbox is sending. */
  Connected = "connected",
  /** Final: `close()` was called or the session token was refused. */
  Closed = "closed",
}

/**
 * Why the connection was lost or ended — data on the `state` event, never an exception.
 * - `network`: the socket failed or closed without a known reason (1006 and the like).
 * - `server_restart`: the server went away cleanly (1001, 1012); reconnecting.
 * - `heartbeat_timeout`: nothing arrived for too long after a ping.
 * - `request_timeout`: a request (hello, send, delete, commit) got no answer in time.
 * - `hello_timeout`: the server closed with 4002: it saw no `hello` in time; reconnecting.
 * - `sequence_gap`: an entry arrived after a gap that could not be filled over HTTP; resuming.
 * - `protocol_error`: the server closed with 4000 or 1009 (a frame it refused).
 * - `slow_consumer`: the server dropped this device for reading too slowly (4003).
 * - `store_error`: the local store failed while loading.
 * - `token_invalid`: the session token is unknown, expired or revoked (4001); final.
 * - `client_closed`: `close()` was called; final.
 */
export type DisconnectReason =
  | "network"
  | "server_restart"
  | "heartbeat_timeout"
  | "request_timeout"
  | "hello_timeout"
  | "sequence_gap"
  | "protocol_error"
  | "slow_consumer"
  | "store_error"
  | "token_invalid"
  | "client_closed";
