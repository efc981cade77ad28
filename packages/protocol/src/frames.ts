import { z } from "zod";
import { AppointmentChangeSchema, AppointmentIdSchema } from "./appointments.ts";
import { BlobIdSchema } from "./blobs.ts";
import { CallFrameSchema, ServerCallFrameSchema } from "./calls.ts";
import { ConversationIdSchema, DeviceIdSchema, MessageIdSchema, UserIdSchema } from "./ids.ts";
import { AutoReplySchema } from "./office-hours.ts";

/** Default maximum size of one WebSocket frame or HTTP body, in bytes (configurable on the server). */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024;

/** How long a typing indicator lives unless refreshed. Clients refresh at most every TYPING_REFRESH_MS. */
export const TYPING_TTL_MS = 6_000;
/** Minimum interval between two `typing: active` frames from one device for one conversation. */
export const TYPING_REFRESH_MS = 3_000;

/** Longest base64 string a frame's field may hold. */
export const BASE64_MAX_CHARS = DEFAULT_MAX_FRAME_BYTES * 2;
/** Standard base64 characters with up to two `=`; the length must also be a multiple of 4. */
export const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

const Base64Schema = z
  .string()
  .max(BASE64_MAX_CHARS)
  .regex(BASE64_PATTERN, "expected base64")
  .refine((s) => s.length % 4 === 0, "expected padded base64");

/** Most blobs one message may declare (`send.blobIds`). */
export const MAX_BLOBS_PER_MESSAGE = 16;

/** A request id chosen by the client; the server echoes it in the `ack` or `error`. */
const RequestIdSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const SeqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

// ---------------------------------------------------------------- client -> server

/**
 * First frame on every connection: authenticates with the session token (never in the URL, where
 * proxies would log it) and gives the device's cursors: the last sequence number it has per
 * conversation. The server then sends exactly the gap, in order, then `synced`, then live events.
 */
export const HelloFrameSchema = z.strictObject({
  type: z.literal("hello"),
  id: RequestIdSchema,
  token: z.string().min(16).max(256),
  cursors: z.record(ConversationIdSchema, SeqSchema).default({}),
});

/** Sends a message. `messageId` makes it idempotent: a resend returns the original ack. */
export const SendFrameSchema = z.strictObject({
  type: z.literal("send"),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  messageId: MessageIdSchema,
  /** The opaque payload (base64). The server stores and forwards it and never parses it. */
  body: Base64Schema,
  /**
   * The blobs (attachments) this message refers to, declared by the sender: each must be one the
   * sender uploaded into this conversation. The server cannot see the references inside the
   * encrypted payload; with this list it deletes a blob once every message declaring it has been
   * deleted for everyone. Never forwarded to other members.
   */
  blobIds: z.array(BlobIdSchema).min(1).max(MAX_BLOBS_PER_MESSAGE).optional(),
});

/** Deletes one's own message for everyone; a tombstone entry is appended to the log. */
export const DeleteFrameSchema = z.strictObject({
  type: z.literal("delete"),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  messageId: MessageIdSchema,
  /** Client-generated id of the tombstone entry itself, so that deleting is idempotent too. */
  tombstoneId: MessageIdSchema,
});

/**
 * Receipt watermark: "this device's user has received / read everything up to `seq`". `private`
 * read receipts move the user's own read marker (unread counts, other devices) without telling others.
 */
export const ReceiptFrameSchema = z.strictObject({
  type: z.literal("receipt"),
  conversationId: ConversationIdSchema,
  kind: z.enum(["delivered", "read"]),
  seq: SeqSchema.min(1),
  private: z.boolean().optional(),
});

/** Typing indicator; ephemeral, never stored, expires after TYPING_TTL_MS. */
export const TypingFrameSchema = z.strictObject({
  type: z.literal("typing"),
  conversationId: ConversationIdSchema,
  active: z.boolean(),
});

/**
 * An MLS commit (handshake) for the conversation's group, made in `epoch`. The server orders commits
 * in the same log as messages: the first valid commit for an epoch wins and moves the group to
 * epoch + 1; a commit for any other epoch is refused with `stale_commit`. `welcomes` go to the devices
 * the commit adds (each must belong to a member); `groupInfo` is kept for external joins.
 */
export const CommitFrameSchema = z.strictObject({
  type: z.literal("commit"),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  messageId: MessageIdSchema,
  epoch: SeqSchema,
  body: Base64Schema,
  welcomes: z
    .array(z.strictObject({ deviceId: DeviceIdSchema, body: Base64Schema }))
    .max(256)
    .optional(),
  groupInfo: Base64Schema.optional(),
});

/** The device has processed its welcome(s) for a conversation; the server may forget them. */
export const WelcomeAckFrameSchema = z.strictObject({
  type: z.literal("welcome_ack"),
  conversationId: ConversationIdSchema,
});

/** Application-level keepalive. */
export const PingFrameSchema = z.strictObject({
  type: z.literal("ping"),
  id: RequestIdSchema,
});

/** Every frame a client may send. */
export const ClientFrameSchema = z.discriminatedUnion("type", [
  HelloFrameSchema,
  SendFrameSchema,
  DeleteFrameSchema,
  ReceiptFrameSchema,
  TypingFrameSchema,
  CommitFrameSchema,
  WelcomeAckFrameSchema,
  PingFrameSchema,
  CallFrameSchema,
]);
export type ClientFrame = z.output<typeof ClientFrameSchema>;
export type ClientFrameInput = z.input<typeof ClientFrameSchema>;
/** The `type` values a client may send. */
export const CLIENT_FRAME_TYPES = [
  "hello",
  "send",
  "delete",
  "receipt",
  "typing",
  "commit",
  "welcome_ack",
  "ping",
  "call",
] as const;
export type ClientFrameType = (typeof CLIENT_FRAME_TYPES)[number];

// ---------------------------------------------------------------- server -> client

/** One entry of a conversation's ordered log. */
export const LogEntrySchema = z.strictObject({
  conversationId: ConversationIdSchema,
  seq: SeqSchema.min(1),
  messageId: MessageIdSchema,
  senderId: UserIdSchema,
  senderDeviceId: DeviceIdSchema,
  sentAt: z.string(),
  /**
   * `message` carries a body; `delete` is a tombstone for `target` (whose body the server erased);
   * `commit` is an MLS handshake made in `epoch`.
   */
  kind: z.enum(["message", "delete", "commit"]),
  epoch: SeqSchema.optional(),
  body: Base64Schema.optional(),
  target: MessageIdSchema.optional(),
  /** True on a `message` entry that was later deleted for everyone (its body is gone). */
  deleted: z.boolean().optional(),
});
export type LogEntry = z.output<typeof LogEntrySchema>;

/** Server frames, as TypeScript types (the server builds them; the client validates them). */
export const ServerFrameSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("ready"),
    id: RequestIdSchema,
    userId: UserIdSchema,
    deviceId: DeviceIdSchema,
    serverTime: z.string(),
    heartbeatMs: z.number().int(),
  }),
  z.strictObject({ type: z.literal("message"), entry: LogEntrySchema }),
  z.strictObject({ type: z.literal("synced") }),
  z.strictObject({
    type: z.literal("ack"),
    id: RequestIdSchema,
    conversationId: ConversationIdSchema.optional(),
    messageId: MessageIdSchema.optional(),
    seq: SeqSchema.optional(),
    sentAt: z.string().optional(),
    epoch: SeqSchema.optional(),
  }),
  z.strictObject({
    type: z.literal("receipt"),
    conversationId: ConversationIdSchema,
    userId: UserIdSchema,
    kind: z.enum(["delivered", "read"]),
    seq: SeqSchema,
  }),
  z.strictObject({
    type: z.literal("typing"),
    conversationId: ConversationIdSchema,
    userId: UserIdSchema,
    active: z.boolean(),
    ttlMs: z.number().int(),
  }),
  z.strictObject({ type: z.literal("presence"), userId: UserIdSchema, online: z.boolean() }),
  z.strictObject({ type: z.literal("conversation"), conversationId: ConversationIdSchema }),
  z.strictObject({
    type: z.literal("welcome"),
    conversationId: ConversationIdSchema,
    /** The seq of the commit that added this device; the device reads the log after it. */
    seq: SeqSchema,
    body: Base64Schema,
  }),
  z.strictObject({
    type: z.literal("devices"),
    /** A conversation shared with `userId`: its MLS group should be brought up to date. */
    conversationId: ConversationIdSchema,
    /** The user whose devices changed (one signed out, or a new one published key packages). */
    userId: UserIdSchema,
  }),
  z.strictObject({
    type: z.literal("appointment"),
    /** An appointment of this conversation changed: read it again (`GET …/appointments`). */
    conversationId: ConversationIdSchema,
    appointmentId: AppointmentIdSchema,
    change: AppointmentChangeSchema,
    /** The member who made the change. */
    by: UserIdSchema,
  }),
  z.strictObject({ type: z.literal("pong"), id: RequestIdSchema }),
  /** A therapist's automatic reply is due after a patient's message (content-free, see `AutoReply`). */
  z.strictObject({ type: z.literal("auto_reply"), autoReply: AutoReplySchema }),
  ServerCallFrameSchema,
  z.strictObject({
    type: z.literal("error"),
    id: RequestIdSchema.optional(),
    code: z.string(),
    message: z.string(),
    path: z.string().optional(),
    /** With `stale_commit`: the conversation's current epoch. */
    epoch: SeqSchema.optional(),
  }),
]);
export type ServerFrame = z.output<typeof ServerFrameSchema>;
