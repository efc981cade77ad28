import { z } from "zod";
import { bytesToBase64Url, ConversationIdSchema, DeviceIdSchema, UserIdSchema } from "./ids.ts";

/*
 * Voice and video calls (issue 12). The server relays call control (ring, accept, decline, busy,
 * hang up) between the devices of a conversation's members and hands out short-lived TURN
 * credentials. Everything that describes the media session (SDP offers and answers, the DTLS
 * fingerprints inside them, ICE candidates) travels as `signal` frames whose `body` is an MLS
 * application message of the conversation's group: the server can neither read nor alter it, and
 * never stores it.
 */

/** A call's id, chosen by the caller: `cal_` and 16–43 base64url characters. */
export const CallIdSchema = z
  .string()
  .regex(/^cal_[A-Za-z0-9_-]{16,43}$/, "expected a cal_ id")
  .brand<"CallId">();
export type CallId = z.output<typeof CallIdSchema>;

/** A new random call id (128 bits from the platform's CSPRNG). */
export function newCallId(): CallId {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `cal_${bytesToBase64Url(bytes)}` as CallId;
}

/** What the caller offers: a voice call, or voice and video. */
export const CallMediaSchema = z.enum(["audio", "video"]);
export type CallMedia = z.output<typeof CallMediaSchema>;

/**
 * Call control actions. `ring` starts a call (every device of the other members rings); `accept`,
 * `decline` and `busy` answer it (an answer also reaches the answering user's other devices, which
 * stop ringing); `hangup` leaves or cancels it; `signal` carries one end-to-end encrypted envelope
 * to one device.
 */
export const CALL_ACTIONS = ["ring", "accept", "decline", "busy", "hangup", "signal"] as const;
export const CallActionSchema = z.enum(CALL_ACTIONS);
export type CallAction = z.output<typeof CallActionSchema>;

/** Largest encrypted signal envelope (base64 characters): an SDP with its candidates fits easily. */
export const MAX_CALL_SIGNAL_CHARS = 64 * 1024;

const SignalBodySchema = z
  .string()
  .min(4)
  .max(MAX_CALL_SIGNAL_CHARS)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64")
  .refine((s) => s.length % 4 === 0, "expected padded base64");

/**
 * Client → server: one call-control step in a conversation the device's user is a member of. Never
 * stored. `media` only with `ring`; `toDeviceId` and `body` with `signal` only (and required there).
 * The server answers an `ack` with the request `id`, or an `error`.
 */
export const CallFrameSchema = z
  .strictObject({
    type: z.literal("call"),
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    conversationId: ConversationIdSchema,
    callId: CallIdSchema,
    action: CallActionSchema,
    media: CallMediaSchema.optional(),
    toDeviceId: DeviceIdSchema.optional(),
    body: SignalBodySchema.optional(),
  })
  .superRefine((f, ctx) => {
    const signal = f.action === "signal";
    if (signal && f.toDeviceId === undefined)
      ctx.addIssue({ code: "custom", path: ["toDeviceId"], message: "a signal names its device" });
    if (signal && f.body === undefined)
      ctx.addIssue({ code: "custom", path: ["body"], message: "a signal carries a body" });
    if (!signal && f.toDeviceId !== undefined)
      ctx.addIssue({ code: "custom", path: ["toDeviceId"], message: "only a signal names a device" });
    if (!signal && f.body !== undefined)
      ctx.addIssue({ code: "custom", path: ["body"], message: "only a signal carries a body" });
    if (f.action === "ring" && f.media === undefined)
      ctx.addIssue({ code: "custom", path: ["media"], message: "a ring says audio or video" });
    if (f.action !== "ring" && f.media !== undefined)
      ctx.addIssue({ code: "custom", path: ["media"], message: "only a ring carries media" });
  });
export type CallFrame = z.output<typeof CallFrameSchema>;
export type CallFrameInput = z.input<typeof CallFrameSchema>;

/**
 * Server → client: a call-control step from another device (of another member, or of the same user
 * for `accept`/`decline`/`busy`/`hangup`, so that the user's other devices stop ringing). A `signal`
 * reaches only the device it names.
 */
export const ServerCallFrameSchema = z.strictObject({
  type: z.literal("call"),
  conversationId: ConversationIdSchema,
  callId: CallIdSchema,
  action: CallActionSchema,
  fromUserId: UserIdSchema,
  fromDeviceId: DeviceIdSchema,
  media: CallMediaSchema.optional(),
  body: SignalBodySchema.optional(),
});
export type ServerCallFrame = z.output<typeof ServerCallFrameSchema>;

/**
 * `GET /v1/calls/turn`: short-lived TURN credentials by coturn's REST shared-secret scheme
 * (`username` = `<expiry unix seconds>:<opaque user hash>`, `credential` = base64 HMAC-SHA1 of the
 * username under the shared secret), the ICE servers to use, and the user's relay-only setting.
 */
export const TurnCredentialsResponseSchema = z.strictObject({
  /** `turn:`/`turns:`/`stun:` URLs; empty when the operator configured none. */
  urls: z.array(z.string().max(512)).max(16),
  username: z.string().max(256),
  credential: z.string().max(256),
  /** When the credentials stop working (ISO 8601). */
  expiresAt: z.string(),
  ttlSeconds: z.number().int().min(0),
  /** Use only relayed candidates (`iceTransportPolicy: "relay"`): the peer never learns this IP. */
  relayOnly: z.boolean(),
});
export type TurnCredentialsResponse = z.output<typeof TurnCredentialsResponseSchema>;

/** `PUT /v1/calls/settings` and its answer: the user's call preferences. */
export const CallSettingsSchema = z.strictObject({
  /** Relay every call through TURN so the other side never sees this user's IP address. */
  relayOnly: z.boolean(),
});
export type CallSettings = z.output<typeof CallSettingsSchema>;
