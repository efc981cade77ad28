import { z } from "zod";
import { ConversationIdSchema, UserIdSchema } from "./ids.ts";

/** base64url without padding, as the Push API and VAPID write keys. */
const base64Url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "expected base64url");

/**
 * The server's VAPID public key (RFC 8292): an uncompressed P-256 point, base64url (87 characters),
 * the `applicationServerKey` a browser subscribes with.
 */
export const PushKeyResponseSchema = z.strictObject({ publicKey: base64Url(87, 87) });
export type PushKeyResponse = z.output<typeof PushKeyResponseSchema>;

/**
 * This device's push subscription (`PushSubscription.toJSON()` less `expirationTime`), and whether
 * its notifications may name the sender. The server only accepts endpoints of known push services
 * (README "Configuration", `HEARTH_PUSH_ORIGINS`); anything else is `bad_request` at `body.endpoint`.
 */
export const PushSubscribeBodySchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  keys: z.strictObject({
    /** The device's P-256 ECDH public key, uncompressed (65 bytes: 87 base64url characters). */
    p256dh: base64Url(87, 87),
    /** The 16-byte authentication secret (22 base64url characters). */
    auth: base64Url(22, 22),
  }),
  /**
   * Opt-in: pushes carry the sender's user id, which the device turns into a name it already knows.
   * Off by default: a push names nothing but "a new message".
   */
  showSender: z.boolean().default(false),
});
export type PushSubscribeBody = z.output<typeof PushSubscribeBodySchema>;
export type PushSubscribeBodyInput = z.input<typeof PushSubscribeBodySchema>;

/** Is this device subscribed on the server, and with which choice? */
export const PushStatusResponseSchema = z.strictObject({
  subscribed: z.boolean(),
  showSender: z.boolean(),
});
export type PushStatusResponse = z.output<typeof PushStatusResponseSchema>;

/**
 * An opaque reference a push carries instead of a conversation id: per subscription and per
 * conversation (an HMAC under the subscription's own key), 22 base64url characters. The same string
 * is the push's `Topic` header, so a push service sees only that two pushes concern the same thing.
 */
export const PushRefSchema = base64Url(22, 22);

/** Path parameters of {@link PushRefSchema} lookups. */
export const PushRefParamsSchema = z.strictObject({ ref: PushRefSchema });

/** Which conversation a push reference names (only for the device the push was sent to). */
export const PushRefResponseSchema = z.strictObject({ conversationId: ConversationIdSchema });
export type PushRefResponse = z.output<typeof PushRefResponseSchema>;

/**
 * The plaintext of every message push, before RFC 8291 encryption: what the service worker needs
 * and nothing else. Never message text, never a conversation id or name; the sender's user id only
 * when the device chose {@link PushSubscribeBodySchema} `showSender`.
 */
export const PushPayloadSchema = z.strictObject({
  /** Protocol version of this payload. */
  v: z.literal(1),
  /**
   * `message`: a new message; `checkin`: a check-in plan's reminder; `call`: a call rings in the
   * conversation (shown as "Incoming call in Hearth"). The `ref` names the conversation.
   */
  kind: z.enum(["message", "checkin", "call"]),
  ref: PushRefSchema,
  sender: UserIdSchema.optional(),
});
export type PushPayload = z.output<typeof PushPayloadSchema>;

/**
 * The plaintext of an appointment reminder push: "Reminder from Hearth", plus the session's start
 * only when the user opted in (appointment settings `showTime`). No name, no conversation.
 */
export const ReminderPushPayloadSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal("reminder"),
  /** The session's start (ISO-8601 UTC), only with `showTime`. */
  at: z.string().optional(),
});
export type ReminderPushPayload = z.output<typeof ReminderPushPayloadSchema>;
