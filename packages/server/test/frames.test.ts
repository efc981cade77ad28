import {
  type AppointmentId,
  bytesToBase64,
  encodeServerFrame,
  newCallId,
  newId,
  parseServerFrame,
  type ServerFrame,
  ServerFrameSchema,
} from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { toLogEntry } from "../src/modules/conversations/conversation-service.ts";
import { encodeMessageFrame, serverFrames } from "../src/modules/delivery/server-frames.ts";

/** Every `type` the protocol's server frame union has, read from the schema itself. */
const SCHEMA_TYPES = ServerFrameSchema.options.map((o) => o.shape.type.value);

const conversationId = newId("cnv");
const userId = newId("usr");
const deviceId = newId("dev");
const messageId = newId("msg");
const body = bytesToBase64(new Uint8Array([1, 2, 3]));

const entry = toLogEntry({
  conversationId,
  seq: 7,
  messageId,
  senderId: userId,
  senderDeviceId: deviceId,
  sentAt: new Date(0).toISOString(),
  kind: "commit",
  body: new Uint8Array([9, 9]),
  target: null,
  deleted: false,
  epoch: 3,
});

/** One of every frame the server sends, built the way the connection builds it, as text on the wire. */
const SENT: string[] = [
  encodeServerFrame(serverFrames.ready(1, userId, deviceId, new Date(), 25_000)),
  encodeMessageFrame(entry).toString("utf8"),
  encodeServerFrame(serverFrames.synced()),
  encodeServerFrame(serverFrames.ack(2, { ...entry, epoch: 3 })),
  encodeServerFrame(serverFrames.ack(3, { ...entry, epoch: null })),
  encodeServerFrame(serverFrames.receipt({ type: "receipt", conversationId, userId, kind: "read", seq: 7 })),
  encodeServerFrame(serverFrames.typing({ type: "typing", conversationId, userId, deviceId, active: true })),
  encodeServerFrame(serverFrames.presence(userId, true)),
  encodeServerFrame(serverFrames.conversation(conversationId)),
  encodeServerFrame(serverFrames.welcome({ conversationId, seq: 7, body })),
  encodeServerFrame(serverFrames.devices({ type: "devices", conversationId, userId })),
  encodeServerFrame(
    serverFrames.appointment({
      type: "appointment",
      conversationId,
      appointmentId: "apt_AAAAAAAAAAAAAAAAAAAAAA" as AppointmentId,
      change: "cancelled",
      by: userId,
    }),
  ),
  encodeServerFrame(
    serverFrames.autoReply({
      type: "auto_reply",
      autoReply: {
        id: "arp_AAAAAAAAAAAAAAAAAAAAAA",
        conversationId,
        therapistId: userId,
        afterSeq: 7,
        at: new Date(0).toISOString(),
        nextOpenAt: new Date(3_600_000).toISOString(),
        typicalReplyHours: 24,
        awayText: null,
      },
    }),
  ),
  encodeServerFrame(
    serverFrames.call({
      type: "call",
      conversationId,
      callId: newCallId(),
      action: "ring",
      fromUserId: userId,
      fromDeviceId: deviceId,
      media: "video",
    }),
  ),
  encodeServerFrame(
    serverFrames.call({
      type: "call",
      conversationId,
      callId: newCallId(),
      action: "signal",
      fromUserId: userId,
      fromDeviceId: deviceId,
      toDeviceId: deviceId,
      body,
    }),
  ),
  encodeServerFrame(serverFrames.pong(4)),
  encodeServerFrame(serverFrames.error("unauthenticated", { id: 5 })),
  encodeServerFrame(serverFrames.error("invalid_frame", { path: "seq" })),
  encodeServerFrame(serverFrames.error("stale_commit", { id: 6, epoch: 4 })),
];

describe("server frames", () => {
  it("every frame the server builds passes the client's parser", () => {
    for (const text of SENT) {
      const r = parseServerFrame(text);
      expect(r, text).toMatchObject({ ok: true });
    }
  });

  it("covers every server frame type of the protocol", () => {
    const parsed = SENT.map((text) => parseServerFrame(text)).flatMap((r) => (r.ok ? [r.value] : []));
    const types = new Set(parsed.map((f: ServerFrame) => f.type));
    expect([...types].sort()).toEqual([...SCHEMA_TYPES].sort());
  });

  it("a commit's ack names the epoch the group moved to", () => {
    const r = parseServerFrame(encodeServerFrame(serverFrames.ack(2, { ...entry, epoch: 3 })));
    expect(r).toMatchObject({ ok: true, value: { type: "ack", epoch: 4 } });
  });

  it("a log entry's message frame carries the entry unchanged", () => {
    expect(JSON.parse(encodeMessageFrame(entry).toString("utf8"))).toEqual({ type: "message", entry });
  });
});
