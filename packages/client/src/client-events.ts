import type {
  AutoReply,
  ConversationId,
  DeviceId,
  ErrorCode,
  LogEntry,
  MessageId,
  UserId,
} from "@hearth/protocol";
import type { AppointmentEvent } from "./appointments.ts";
import type { OutboxItem, StoredMessage } from "./client-store.ts";
import type { DisconnectReason, State } from "./connection/connection-state.ts";

/**
 * A log entry as the application sees it: decoded, delivered once, in seq order per conversation.
 * What the local store keeps ({@link StoredMessage}), and who sent it.
 */
export interface ReceivedMessage extends StoredMessage {
  /** Sent by this user (from this device or another of theirs). */
  own: boolean;
  /** The raw log entry (for the crypto layer). */
  entry: LogEntry;
}

/** The server's confirmation that one of this device's messages is stored: it is **sent**. */
export interface SentAck {
  conversationId: ConversationId;
  messageId: MessageId;
  seq: number;
  sentAt: string;
}

/** Why a queued message or deletion will not be stored: a server error code, or `client_closed`. */
export type SendFailureCode = ErrorCode | "client_closed" | "unexpected_response";

/** The rejection of a `sent` promise. */
export class SendError extends Error {
  readonly code: SendFailureCode;
  readonly messageId: MessageId;
  constructor(code: SendFailureCode, messageId: MessageId) {
    super(`message not sent: ${code}`);
    this.name = "SendError";
    this.code = code;
    this.messageId = messageId;
  }
}

/** What `send` and `deleteMessage` return at once: the new entry's id, and its ack to come. */
export interface Queued {
  /** The client-generated id (for a delete: the tombstone's id). Show the pending message under it. */
  messageId: MessageId;
  /** Settles when the server has stored it; rejects with {@link SendError} on a final refusal or `close()`. */
  sent: Promise<SentAck>;
}

/** The answer to {@link HearthClient.commit}: the new epoch, or a coded refusal. */
export type CommitResult =
  | { ok: true; seq: number; epoch: number }
  | { ok: false; code: string; epoch?: number };

/** Events of {@link HearthClient}. Listen with `client.on(name, listener)`. */
export interface HearthClientEvents {
  /** The connection state changed; `reason` says why it was lost or ended. */
  state: { oldState: State; newState: State; reason?: DisconnectReason };
  /** Signed in on the socket (before the backlog). */
  ready: { userId: UserId; deviceId: DeviceId };
  /** Everything missed while away has been delivered; live events follow and the outbox sends. */
  synced: undefined;
  /**
   * A log entry, exactly once per (conversation, seq) and in seq order per conversation — including
   * this user's own messages (`own`), from any of their devices. Match `messageId` against messages
   * shown as pending to avoid showing them twice.
   */
  message: ReceivedMessage;
  /**
   * A message or deletion was stored in the outbox: show it as pending (`content` is readable
   * here). Its `sent` or `failed` follows.
   */
  queued: OutboxItem;
  /** One of this device's messages or deletions is stored (its ack); the pending item is sent. */
  sent: SentAck;
  /** A queued message or deletion was refused for good (coded) and will not be retried. */
  failed: { conversationId: ConversationId; messageId: MessageId; code: SendFailureCode };
  /** A member's delivered or read watermark moved: they have everything up to `seq`. */
  receipt: { conversationId: ConversationId; userId: UserId; kind: "delivered" | "read"; seq: number };
  /** Someone started or stopped typing. `active: false` also comes by itself when the TTL runs out. */
  typing: { conversationId: ConversationId; userId: UserId; active: boolean };
  /** A contact came online or went offline. */
  presence: { userId: UserId; online: boolean };
  /** This user was added to a conversation; its entries follow as `message` events. */
  conversation: { conversationId: ConversationId };
  /** With encryption: a device joined a conversation's MLS group (yours or a member's). Tell the user. */
  "device-added": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  /** With encryption: a device left a conversation's MLS group (signed out or lost). */
  "device-removed": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  /**
   * With encryption: the server now names a different identity key for this user than the one
   * pinned here. Their new devices are refused until the user verifies them again.
   */
  "identity-changed": { userId: UserId };
  /**
   * With encryption: a device offered for a conversation is not certified by its user's pinned
   * identity key (`code` says why); it was not added.
   */
  "device-unverified": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId; code: string };
  /**
   * A therapist's automatic reply is due in a conversation (outside their office hours, once per
   * closed period). Content-free; `client.officeHours(id)` turns it into an automatic entry.
   */
  "auto-reply": AutoReply;
  /** An appointment of a conversation was scheduled, moved, cancelled, or someone asked to move it. */
  appointment: AppointmentEvent;
  /** An MLS welcome for this device (for the crypto layer). */
  welcome: { conversationId: ConversationId; seq: number; body: Uint8Array };
  /**
   * Something went wrong that the client handled: a server `error` frame not tied to a request (for
   * example a refused receipt), an unreadable server frame (`malformed_json`, `invalid_frame`), or
   * a failing local store (`store_error`). Informational; the client carries on.
   */
  error: { code: string; message: string };
}
