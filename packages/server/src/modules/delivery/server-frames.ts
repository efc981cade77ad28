import {
  type ConversationId,
  type DeviceId,
  type ErrorCode,
  encodeServerFrame,
  errorBody,
  type LogEntry,
  type MessageId,
  type ServerFrameOf,
  TYPING_TTL_MS,
  type UserId,
} from "@hearth/protocol";
import type { BusEvent } from "../../bus/bus.ts";

/**
 * Builders of every frame the server sends, each typed by the protocol's `ServerFrame` union; the
 * connection passes what they build to `encodeServerFrame`. Ids arrive branded (from the stores'
 * records and the bus events), so a frame cannot carry a user id where a device id belongs.
 */
export const serverFrames = {
  ready(
    id: number,
    userId: UserId,
    deviceId: DeviceId,
    serverTime: Date,
    heartbeatMs: number,
  ): ServerFrameOf<"ready"> {
    return {
      type: "ready",
      id,
      userId,
      deviceId,
      serverTime: serverTime.toISOString(),
      heartbeatMs,
    };
  },
  message(entry: LogEntry): ServerFrameOf<"message"> {
    return { type: "message", entry };
  },
  synced(): ServerFrameOf<"synced"> {
    return { type: "synced" };
  },
  ack(
    id: number,
    e: {
      conversationId: ConversationId;
      messageId: MessageId;
      seq: number;
      sentAt: string;
      epoch: number | null;
    },
  ): ServerFrameOf<"ack"> {
    const frame: ServerFrameOf<"ack"> = {
      type: "ack",
      id,
      conversationId: e.conversationId,
      messageId: e.messageId,
      seq: e.seq,
      sentAt: e.sentAt,
    };
    // A commit made in epoch n moves the group to n + 1.
    if (e.epoch !== null) frame.epoch = e.epoch + 1;
    return frame;
  },
  receipt(e: Extract<BusEvent, { type: "receipt" }>): ServerFrameOf<"receipt"> {
    return {
      type: "receipt",
      conversationId: e.conversationId,
      userId: e.userId,
      kind: e.kind,
      seq: e.seq,
    };
  },
  typing(e: Extract<BusEvent, { type: "typing" }>): ServerFrameOf<"typing"> {
    return {
      type: "typing",
      conversationId: e.conversationId,
      userId: e.userId,
      active: e.active,
      ttlMs: TYPING_TTL_MS,
    };
  },
  presence(userId: UserId, online: boolean): ServerFrameOf<"presence"> {
    return { type: "presence", userId, online };
  },
  conversation(conversationId: ConversationId): ServerFrameOf<"conversation"> {
    return { type: "conversation", conversationId };
  },
  /** `body` is base64. */
  welcome(w: { conversationId: ConversationId; seq: number; body: string }): ServerFrameOf<"welcome"> {
    return { type: "welcome", conversationId: w.conversationId, seq: w.seq, body: w.body };
  },
  devices(e: Extract<BusEvent, { type: "devices" }>): ServerFrameOf<"devices"> {
    return {
      type: "devices",
      conversationId: e.conversationId,
      userId: e.userId,
    };
  },
  /** A call-control step as the receiving device gets it (without `toDeviceId`, which was the route). */
  call(e: Extract<BusEvent, { type: "call" }>): ServerFrameOf<"call"> {
    return {
      type: "call",
      conversationId: e.conversationId,
      callId: e.callId,
      action: e.action,
      fromUserId: e.fromUserId,
      fromDeviceId: e.fromDeviceId,
      ...(e.media ? { media: e.media } : {}),
      ...(e.body ? { body: e.body } : {}),
    };
  },
  appointment(e: Extract<BusEvent, { type: "appointment" }>): ServerFrameOf<"appointment"> {
    return {
      type: "appointment",
      conversationId: e.conversationId,
      appointmentId: e.appointmentId,
      change: e.change,
      by: e.by,
    };
  },
  /** A therapist's automatic reply is due (the office-hours module's record: settings, no content). */
  autoReply(e: Extract<BusEvent, { type: "auto_reply" }>): ServerFrameOf<"auto_reply"> {
    return { type: "auto_reply", autoReply: e.autoReply };
  },
  pong(id: number): ServerFrameOf<"pong"> {
    return { type: "pong", id };
  },
  /** A coded error; `id` echoes the request it answers, `epoch` goes with `stale_commit`. */
  error(code: ErrorCode, extra: { id?: number; path?: string; epoch?: number } = {}): ServerFrameOf<"error"> {
    return {
      type: "error",
      ...(extra.id === undefined ? {} : { id: extra.id }),
      ...errorBody(code, extra.path),
      ...(extra.epoch === undefined ? {} : { epoch: extra.epoch }),
    };
  },
} as const;

const encodedEntries = new WeakMap<LogEntry, Buffer>();
const encodedReceipts = new WeakMap<BusEvent, Buffer>();

/**
 * The `message` frame of one log entry as UTF-8 text, encoded once however many sockets it goes to
 * (the bus hands every subscriber the same entry object), so each socket sends the same bytes.
 */
export function encodeMessageFrame(entry: LogEntry): Buffer {
  let bytes = encodedEntries.get(entry);
  if (bytes === undefined) {
    bytes = Buffer.from(encodeServerFrame(serverFrames.message(entry)));
    encodedEntries.set(entry, bytes);
  }
  return bytes;
}

/** The `receipt` frame of one bus event, encoded once for every socket it goes to. */
export function encodeReceiptFrame(e: Extract<BusEvent, { type: "receipt" }>): Buffer {
  let bytes = encodedReceipts.get(e);
  if (bytes === undefined) {
    bytes = Buffer.from(encodeServerFrame(serverFrames.receipt(e)));
    encodedReceipts.set(e, bytes);
  }
  return bytes;
}
