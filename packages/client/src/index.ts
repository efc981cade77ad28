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
  type AppointmentEvent,
  Appointments,
  appointmentSessions,
  type ExportSession,
  exportSessions,
} from "./appointments.ts";
export {
  type AttachmentRef,
  MAX_ATTACHMENT_NAME_LENGTH,
  MAX_CAPTION_LENGTH,
  MAX_DURATION_MS,
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
export type { CallParticipant } from "./calls/call-mesh.ts";
export {
  type CallOutcome,
  type CallRecord,
  callRecordFor,
  callRecordText,
  parseCallRecord,
} from "./calls/call-record.ts";
export { type CallSignal, sameFingerprints, sdpFingerprints } from "./calls/call-signal.ts";
export {
  CALL_FAILURE_MESSAGES,
  type CallEndReason,
  type CallEvent,
  type CallFailure,
  type CallPeer,
  type CallPhase,
  type CallState,
  IDLE as IDLE_CALL,
  inCall,
  MAX_CALL_PARTICIPANTS,
  nextCallState,
} from "./calls/call-state.ts";
export { Calls, type CallsDeps, type CallsEvents, type CallsRtc } from "./calls/calls.ts";
export type {
  MediaStreamLike,
  MediaTrackLike,
  PeerConfig,
  PeerConnectionLike,
} from "./calls/peer-link.ts";
export {
  type CheckinAnswer,
  type CheckinPlanContent,
  parseCheckinAnswer,
  parseCheckinPlanContent,
} from "./checkins/checkin-content.ts";
export {
  type CheckinEntry,
  type CheckinTrend,
  checkinTrends,
  type KnownPlan,
  missedCheckins,
  planContents,
  type ScoredCheckin,
  scoredCheckins,
} from "./checkins/checkin-trends.ts";
export {
  type CheckinHistorySource,
  deviceCheckinEntries,
} from "./checkins/device-checkins.ts";
export {
  checkinsToFhirBundle,
  type FhirAppointmentInput,
  type FhirExportInput,
  HEARTH_CODE_SYSTEM,
  HEARTH_USER_SYSTEM,
} from "./checkins/fhir-export.ts";
export {
  type AnswerOption,
  type CustomScale,
  customInstrument,
  GAD7,
  INSTRUMENT_KINDS,
  type Instrument,
  type InstrumentItem,
  type InstrumentKind,
  instrumentOf,
  MAX_CUSTOM_ITEMS,
  MAX_CUSTOM_TEXT,
  MAX_NOTE_LENGTH,
  MOOD,
  PHQ9,
  parseCustomScale,
  type SeverityBand,
} from "./checkins/instruments.ts";
export { bandOf, type CheckinScore, scoreAnswers, validAnswers } from "./checkins/scoring.ts";
export type { ClientStore, OutboxItem, StoredMessage } from "./client-store.ts";
export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export { type DisconnectReason, State } from "./connection/connection-state.ts";
export {
  type ConversationMessage,
  ConversationView,
  type ConversationViewEvents,
  type MessageStatus,
} from "./conversation/conversation-view.ts";
export {
  EDIT_WINDOW_MS,
  type EditEntry,
  type EditTarget,
  editApplies,
} from "./conversation/message-edits.ts";
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
export {
  type AutomaticEntry,
  type ConversationRow,
  OfficeHoursView,
  type OfficeHoursViewEvents,
  placeAutomatic,
  type TherapistHours,
} from "./office-hours/office-hours-view.ts";
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
