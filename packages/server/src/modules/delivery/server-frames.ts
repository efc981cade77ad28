import {
  type ConversationId,
  type DeviceId,
  type ErrorCode,
  encodeServerFrame,
  errorBody,
  type LogEntry,
  type ServerFrameOf,
  TYPING_TTL_MS,
  type UserId,
} from "@hearth/protocol";
import type { BusEvent } from "../../bus/bus.ts";

/**
 * Builders of every frame the server sends, each typed by the protocol's `ServerFrame` union; the
 * connection passes what they build to `encodeServerFrame`. Bus events and storage records carry ids
 * as plain strings (they were validated where they entered), so the brands are applied here, once.
 */
export const serverFrames = {
  ready(
    id: number,
    userId: string,
    deviceId: string,
    serverTime: Date,
    heartbeatMs: number,
  ): ServerFrameOf<"ready"> {
    return {
      type: "ready",
      id,
      userId: userId as UserId,
      deviceId: deviceId as DeviceId,
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
    e: { conversationId: string; messageId: string; seq: number; sentAt: string; epoch: number | null },
  ): ServerFrameOf<"ack"> {
    const frame: ServerFrameOf<"ack"> = {
      type: "ack",
      id,
      conversationId: e.conversationId as ConversationId,
      messageId: e.messageId as LogEntry["messageId"],
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
      conversationId: e.conversationId as ConversationId,
      userId: e.userId as UserId,
      kind: e.kind,
      seq: e.seq,
    };
  },
  typing(e: Extract<BusEvent, { type: "typing" }>): ServerFrameOf<"typing"> {
    return {
      type: "typing",
      conversationId: e.conversationId as ConversationId,
      userId: e.userId as UserId,
      active: e.active,
      ttlMs: TYPING_TTL_MS,
    };
  },
  presence(userId: string, online: boolean): ServerFrameOf<"presence"> {
    return { type: "presence", userId: userId as UserId, online };
  },
  conversation(conversationId: string): ServerFrameOf<"conversation"> {
    return { type: "conversation", conversationId: conversationId as ConversationId };
  },
  /** `body` is base64. */
  welcome(w: { conversationId: string; seq: number; body: string }): ServerFrameOf<"welcome"> {
    return { type: "welcome", conversationId: w.conversationId as ConversationId, seq: w.seq, body: w.body };
  },
  devices(e: Extract<BusEvent, { type: "devices" }>): ServerFrameOf<"devices"> {
    return {
      type: "devices",
      conversationId: e.conversationId as ConversationId,
      userId: e.userId as UserId,
    };
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

const encodedEntries = new WeakMap<LogEntry, string>();

/**
 * The `message` frame of one log entry as text, encoded once however many sockets it goes to (the
 * bus hands every subscriber the same entry object).
 */
export function encodeMessageFrame(entry: LogEntry): string {
  let text = encodedEntries.get(entry);
  if (text === undefined) {
    text = encodeServerFrame(serverFrames.message(entry));
    encodedEntries.set(entry, text);
  }
  return text;
}
