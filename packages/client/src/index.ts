/**
 * @hearth/client — the Hearth SDK for browsers and Node: connection state machine, resume from
 * cursors, outbox with idempotent retries, receipts, typing, presence, and the typed HTTP API.
 * The environment (WebSocket, fetch, storage) is passed in; no `node:*` imports.
 */
export { type BackoffOptions, fullJitterDelay } from "./backoff.ts";
export { type ClientStore, MemoryClientStore, type OutboxItem } from "./client-store.ts";
export {
  type CodecContext,
  type DecodeResult,
  jsonCodec,
  type MessageContent,
  type PayloadCodec,
  type UndecryptableReason,
} from "./codec.ts";
export { Emitter } from "./emitter.ts";
export { HearthApi, HearthApiError, type HearthApiOptions } from "./hearth-api.ts";
export {
  type DisconnectReason,
  HearthClient,
  type HearthClientEvents,
  type HearthClientOptions,
  type ReceivedMessage,
  type SentAck,
  State,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./hearth-client.ts";
