import { z } from "zod";
import { LogEntrySchema } from "./frames.ts";
import {
  ConversationIdSchema,
  DeviceIdSchema,
  InviteIdSchema,
  PracticeIdSchema,
  UserIdSchema,
} from "./ids.ts";
import { nameSchema } from "./names.ts";

/** The protocol version; it appears in every HTTP path (`/v1/...`) and in the WebSocket subprotocol. */
export const PROTOCOL_VERSION = 1;
/** HTTP path prefix for this protocol version. */
export const API_PREFIX = "/v1";
/** The WebSocket subprotocol a client must offer. */
export const WS_SUBPROTOCOL = "hearth.v1";
/** The WebSocket path. */
export const WS_PATH = "/v1/ws";

/** An ISO 8601 time in UTC, as the server writes it (`2026-12-04T15:20:15.123Z`). */
export const IsoTimeSchema = z.iso.datetime();

/** Roles inside a practice. */
export const RoleSchema = z.enum(["admin", "therapist", "patient"]);
export type Role = z.output<typeof RoleSchema>;

/** A login handle: an email address or a username (lowercase letters, digits, `.`, `_`, `-`). */
export const LoginSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(254)
  .regex(/^[a-z0-9._@+-]+$/, "letters, digits and . _ @ + - only");
/** A password: 10 to 256 characters. Strength beyond length is the client's advice to give. */
export const PasswordSchema = z.string().min(10).max(256);
/** A display name; pseudonyms are welcome. */
export const DisplayNameSchema = nameSchema(64);
/** A device's human name ("Firefox on laptop"). */
export const DeviceNameSchema = nameSchema(64);

/** `POST /v1/setup` — create the practice and its first admin with the one-time setup token. */
export const SetupBodySchema = z.strictObject({
  setupToken: z.string().min(16).max(128),
  practiceName: nameSchema(120),
  login: LoginSchema,
  displayName: DisplayNameSchema,
  password: PasswordSchema,
  deviceName: DeviceNameSchema,
});
export type SetupBody = z.output<typeof SetupBodySchema>;

/** `POST /v1/auth/login`. */
export const LoginBodySchema = z.strictObject({
  login: LoginSchema,
  password: PasswordSchema,
  deviceName: DeviceNameSchema,
});
export type LoginBody = z.output<typeof LoginBodySchema>;

/** Answer to setup, login and invite acceptance: a new device session. */
export const SessionResponseSchema = z.strictObject({
  userId: UserIdSchema,
  deviceId: DeviceIdSchema,
  practiceId: PracticeIdSchema,
  role: RoleSchema,
  /** Opaque bearer token; the server stores only its hash. */
  token: z.string().min(16).max(256),
  /** For a patient joining through a therapist's invite: their 1:1 conversation. */
  conversationId: ConversationIdSchema.optional(),
});
export type SessionResponse = z.output<typeof SessionResponseSchema>;

/** `POST /v1/invites` — admins invite therapists (and admins); therapists invite patients. */
export const CreateInviteBodySchema = z.strictObject({
  role: RoleSchema,
  /** Lifetime in hours, 1 to 336 (two weeks). Default 72. */
  ttlHours: z.number().int().min(1).max(336).optional(),
});
export type CreateInviteBody = z.output<typeof CreateInviteBodySchema>;

/** Answer to `POST /v1/invites`. The token is shown once; the server keeps only its hash. */
export const CreateInviteResponseSchema = z.strictObject({
  inviteId: InviteIdSchema,
  token: z.string().min(16).max(128),
  role: RoleSchema,
  expiresAt: IsoTimeSchema,
});
export type CreateInviteResponse = z.output<typeof CreateInviteResponseSchema>;

/** `GET /v1/invites/:token` — what the invite is for, before accepting. */
export const InviteInfoResponseSchema = z.strictObject({
  practiceName: z.string(),
  inviterName: z.string(),
  role: RoleSchema,
  expiresAt: IsoTimeSchema,
});
export type InviteInfoResponse = z.output<typeof InviteInfoResponseSchema>;

/** `POST /v1/invites/accept` — join under a pseudonym; email optional. */
export const AcceptInviteBodySchema = z.strictObject({
  token: z.string().min(16).max(128),
  login: LoginSchema,
  displayName: DisplayNameSchema,
  password: PasswordSchema,
  email: z.email().max(254).optional(),
  deviceName: DeviceNameSchema,
});
export type AcceptInviteBody = z.output<typeof AcceptInviteBodySchema>;

/** `POST /v1/conversations` — a therapist opens a group with several of their patients. */
export const CreateConversationBodySchema = z.strictObject({
  kind: z.literal("group"),
  memberIds: z.array(UserIdSchema).min(1).max(64),
});
export type CreateConversationBody = z.output<typeof CreateConversationBodySchema>;

/** `PATCH /v1/me/settings`. */
export const SettingsBodySchema = z.strictObject({
  displayName: DisplayNameSchema.optional(),
  /** Show whether I am online to the people I talk with. */
  showPresence: z.boolean().optional(),
});
export type SettingsBody = z.output<typeof SettingsBodySchema>;

/** `POST /v1/auth/unlock`: the password of the signed-in person, to lift the app's screen lock. */
export const UnlockBodySchema = z.strictObject({ password: PasswordSchema });
export type UnlockBody = z.output<typeof UnlockBodySchema>;

/** `POST /v1/auth/password`: change my password; the current one proves it is me. */
export const ChangePasswordBodySchema = z.strictObject({
  currentPassword: PasswordSchema,
  newPassword: PasswordSchema,
});
export type ChangePasswordBody = z.output<typeof ChangePasswordBodySchema>;

/** `POST /v1/invites/login-available`: is a sign-in name free? Only an invite's holder may ask. */
export const LoginAvailableBodySchema = z.strictObject({
  token: z.string().min(16).max(128),
  login: LoginSchema,
});
export type LoginAvailableBody = z.output<typeof LoginAvailableBodySchema>;

/** Answer to `POST /v1/invites/login-available`. */
export const LoginAvailableResponseSchema = z.strictObject({ available: z.boolean() });
export type LoginAvailableResponse = z.output<typeof LoginAvailableResponseSchema>;

/** `PATCH /v1/devices/:id`: a new name for one of my devices ("Sky's phone"). */
export const RenameDeviceBodySchema = z.strictObject({ name: DeviceNameSchema });
export type RenameDeviceBody = z.output<typeof RenameDeviceBodySchema>;

const SeqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const CountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A member as other members see them: display name, role, and presence if visible. */
export const MemberSummarySchema = z.strictObject({
  userId: UserIdSchema,
  displayName: z.string(),
  role: RoleSchema,
  /** Everything up to this seq reached one of the member's devices (their delivered receipt). */
  deliveredSeq: SeqSchema,
  /**
   * Everything up to this seq was read, as far as the member shares it: reads made with read
   * receipts off never show here (for the caller's own entry too; their own marker is the
   * summary's `readSeq`). With the live `receipt` events, this lets a device that was offline
   * show the right status.
   */
  readSeq: SeqSchema,
});
export type MemberSummary = z.output<typeof MemberSummarySchema>;

/** A conversation in the list, from the caller's point of view. */
export const ConversationSummarySchema = z.strictObject({
  conversationId: ConversationIdSchema,
  kind: z.enum(["direct", "group"]),
  members: z.array(MemberSummarySchema),
  /** Highest sequence number in the conversation's log (0 when empty). */
  lastSeq: SeqSchema,
  /** ISO time of the last log entry, or of creation. */
  lastActivityAt: IsoTimeSchema,
  /** The caller's own read watermark (synced across their devices). */
  readSeq: SeqSchema,
  /** Entries after `readSeq` sent by others. */
  unread: CountSchema,
});
export type ConversationSummary = z.output<typeof ConversationSummarySchema>;

/** `GET /v1/me`. */
export const MeResponseSchema = z.strictObject({
  userId: UserIdSchema,
  deviceId: DeviceIdSchema,
  practiceId: PracticeIdSchema,
  role: RoleSchema,
  displayName: z.string(),
  login: z.string(),
  showPresence: z.boolean(),
});
export type MeResponse = z.output<typeof MeResponseSchema>;

/** One device in `GET /v1/devices`. */
export const DeviceSummarySchema = z.strictObject({
  deviceId: DeviceIdSchema,
  name: z.string(),
  createdAt: IsoTimeSchema,
  lastSeenAt: IsoTimeSchema,
  current: z.boolean(),
});
export type DeviceSummary = z.output<typeof DeviceSummarySchema>;

/**
 * Path parameters of `GET /v1/invites/:token`. Any string up to 512 characters: a token that is not
 * a live invite's, whatever its shape, is answered `invite_invalid`.
 */
export const InviteTokenParamsSchema = z.strictObject({ token: z.string().min(1).max(512) });

/** Query of `GET /v1/conversations/:id/messages`. */
export const HistoryQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type HistoryQuery = z.output<typeof HistoryQuerySchema>;

/** Query of `GET /v1/audit`. */
export const AuditQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AuditQuery = z.output<typeof AuditQuerySchema>;

/** Answer to `GET /v1/conversations/:id/messages`: a page of the log, ascending. */
export const HistoryResponseSchema = z.strictObject({ entries: z.array(LogEntrySchema) });
export type HistoryResponse = z.output<typeof HistoryResponseSchema>;

/** One audit entry; ids only, never content. */
export const AuditEntrySchema = z.strictObject({
  seq: SeqSchema.min(1),
  at: IsoTimeSchema,
  actorId: z.string().nullable(),
  action: z.string(),
  subject: z.string().nullable(),
  /** SHA-256 over the previous hash and this entry's canonical form (hex). */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.output<typeof AuditEntrySchema>;

/** Answer to `GET /v1/audit`. */
export const AuditResponseSchema = z.strictObject({ entries: z.array(AuditEntrySchema) });
export type AuditResponse = z.output<typeof AuditResponseSchema>;

/** Answer to `GET /v1/audit/verify`: whether the hash chain holds, and the first broken row if not. */
export const AuditVerifyResponseSchema = z.strictObject({
  ok: z.boolean(),
  count: CountSchema,
  brokenAt: SeqSchema.optional(),
});
export type AuditVerifyResponse = z.output<typeof AuditVerifyResponseSchema>;

const KeyBytesSchema = z
  .string()
  .max(24 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64")
  .refine((v) => v.length % 4 === 0 && v.length > 0, "expected padded base64");

/** `PUT /v1/keys/identity` — pin this user's identity public key (set once). */
export const IdentityKeyBodySchema = z.strictObject({ identityKey: KeyBytesSchema });
export type IdentityKeyBody = z.output<typeof IdentityKeyBodySchema>;

/** `POST /v1/keys/packages` — the calling device uploads one-time MLS key packages (and a last resort). */
export const KeyPackagesBodySchema = z.strictObject({
  keyPackages: z.array(KeyBytesSchema).max(100),
  lastResort: KeyBytesSchema.optional(),
});
export type KeyPackagesBody = z.output<typeof KeyPackagesBodySchema>;

/** `POST /v1/keys/claim` — one key package for every live device of each user. */
export const ClaimKeyPackagesBodySchema = z.strictObject({ userIds: z.array(UserIdSchema).min(1).max(64) });
export type ClaimKeyPackagesBody = z.output<typeof ClaimKeyPackagesBodySchema>;

/** Answer to `POST /v1/keys/packages` and `GET /v1/keys/packages/count`: one-time packages left. */
export const KeyPackageCountResponseSchema = z.strictObject({ available: CountSchema });
export type KeyPackageCountResponse = z.output<typeof KeyPackageCountResponseSchema>;

/** Answer to `POST /v1/keys/claim`. A device with no package left is listed in `missing`. */
export const ClaimKeyPackagesResponseSchema = z.strictObject({
  keyPackages: z.array(
    z.strictObject({ userId: UserIdSchema, deviceId: DeviceIdSchema, keyPackage: KeyBytesSchema }),
  ),
  missing: z.array(z.strictObject({ userId: UserIdSchema, deviceId: DeviceIdSchema })),
});
export type ClaimKeyPackagesResponse = z.output<typeof ClaimKeyPackagesResponseSchema>;

/** `GET /v1/users/:id/keys` — a contact's pinned identity key and live devices. */
export const UserKeysResponseSchema = z.strictObject({
  userId: UserIdSchema,
  identityKey: KeyBytesSchema.nullable(),
  devices: z.array(DeviceIdSchema),
  /**
   * The user's current archive public key record (base64), signed by their identity key on their
   * device; the server stores it as opaque bytes and cannot substitute it. `null` until published.
   */
  archiveKey: KeyBytesSchema.nullable().optional(),
});
export type UserKeysResponse = z.output<typeof UserKeysResponseSchema>;

/** `PUT /v1/keys/archive` — publish this user's signed archive public key record (replaces the old one). */
export const ArchiveKeyBodySchema = z.strictObject({ archiveKey: KeyBytesSchema });
export type ArchiveKeyBody = z.output<typeof ArchiveKeyBodySchema>;

/** Transfer mailbox ids: `trf_` and 128 random bits (base64url), made by the server. */
export const TransferIdSchema = z.string().regex(/^trf_[A-Za-z0-9_-]{16,43}$/, "expected a transfer id");

/** `PUT /v1/transfers/:id` — the old device drops the sealed transfer message into the mailbox. */
export const TransferBodySchema = z.strictObject({ body: KeyBytesSchema });
export type TransferBody = z.output<typeof TransferBodySchema>;

/** Answer to `POST /v1/transfers` (open a mailbox) and `GET /v1/transfers/:id` (read it). */
export const TransferResponseSchema = z.strictObject({
  transferId: TransferIdSchema,
  expiresAt: IsoTimeSchema,
  /** The sealed message, once the other device has put it (base64). */
  body: KeyBytesSchema.nullable(),
});
export type TransferResponse = z.output<typeof TransferResponseSchema>;

/** `GET /v1/conversations/:id/group` — the MLS group's epoch and latest group info. */
export const GroupStateResponseSchema = z.strictObject({
  epoch: SeqSchema,
  groupInfo: z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64")
    .nullable(),
});
export type GroupStateResponse = z.output<typeof GroupStateResponseSchema>;

/** Answer to `GET /healthz`. */
export const HealthResponseSchema = z.strictObject({ ok: z.literal(true) });
/** The state of one part the server depends on, as `/readyz` reports it. */
export const ReadyCheckSchema = z.enum(["ok", "failed"]);
/**
 * Answer to `GET /readyz` (200 when every part is `ok`, 503 otherwise): the database, the bus's Redis
 * (present only when configured) and the blob store. `failed` names the parts that failed; the reason
 * in words is in the server's log, not in this public answer.
 */
export const ReadyResponseSchema = z.strictObject({
  ready: z.boolean(),
  checks: z.strictObject({
    database: ReadyCheckSchema,
    redis: ReadyCheckSchema.optional(),
    blobs: ReadyCheckSchema,
  }),
  failed: z.array(z.enum(["database", "redis", "blobs"])),
});
export type ReadyResponse = z.output<typeof ReadyResponseSchema>;
/** Answer to `GET /v1/setup`: whether the first-run setup is still pending. */
export const SetupStatusResponseSchema = z.strictObject({ needed: z.boolean() });
export type SetupStatusResponse = z.output<typeof SetupStatusResponseSchema>;
