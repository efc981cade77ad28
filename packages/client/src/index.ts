/**
 * @hearth/client — the Hearth SDK for browsers and Node: connection state machine, resume from
 * cursors, outbox with idempotent retries, end-to-end encryption (`client.crypto`), a view model
 * per conversation (`client.conversation(id)`), receipts, typing, presence, and the typed HTTP API. The environment (WebSocket, fetch, clock,
 * random, storage) is passed in through options; no `node:*` imports.
 */

export type { TransferProgress } from "./api/blob-bodies.ts";
export type { CallArgs, CallBody, CallOptions, CallResult } from "./api/call-options.ts";
export {
  decodeApiError,
  HearthApiError,
  type HearthApiErrorCode,
  SDK_ERROR_CODES,
} from "./api/hearth-api-error.ts";
export {
  type AttachmentRef,
  MAX_ATTACHMENT_NAME_LENGTH,
  MAX_CAPTION_LENGTH,
  parseAttachmentRef,
} from "./attachment-ref.ts";
export {
  AttachmentError,
  type AttachmentMeta,
  type AttachmentProgressEvent,
  type AttachmentProgressListener,
  Attachments,
  type AttachmentsOptions,
} from "./attachments.ts";
export { type BackoffOptions, fullJitterDelay } from "./backoff.ts";
export type { ClientStore, OutboxItem, StoredMessage } from "./client-store.ts";
export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export { type DisconnectReason, State } from "./connection/connection-state.ts";
export {
  type ConversationMessage,
  ConversationView,
  type ConversationViewEvents,
  type MessageStatus,
} from "./conversation/conversation-view.ts";
export { HearthCrypto } from "./crypto/hearth-crypto.ts";
export { type DeviceKeyStore, MemoryKeyStore } from "./device-key-store.ts";
export { EncryptionError, type EncryptionSetup } from "./e2ee/e2ee-session.ts";
export { Emitter } from "./emitter.ts";
export { DEFAULT_API_TIMEOUT_MS, HearthApi, type HearthApiOptions } from "./hearth-api.ts";
export {
  type CommitResult,
  HearthClient,
  type HearthClientEvents,
  type HearthClientOptions,
  type Queued,
  type ReceivedMessage,
  SendError,
  type SendFailureCode,
  type SentAck,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./hearth-client.ts";
export { InboundSequencer, type SequenceVerdict } from "./inbound/inbound-sequencer.ts";
export { MemoryClientStore } from "./memory-client-store.ts";
export { Outbox } from "./outbox/outbox.ts";
export {
  type CodecContext,
  type DecodeResult,
  MAX_TEXT_LENGTH,
  type MessageContent,
  type PayloadCodec,
  type UndecryptableReason,
  unencryptedCodecForTests,
} from "./payload-codec.ts";
