import { z } from "zod";
import {
  type ConversationIdSchema,
  type DeviceIdSchema,
  type InviteIdSchema,
  type PracticeIdSchema,
  UserIdSchema,
} from "./ids.ts";

/** The protocol version; it appears in every HTTP path (`/v1/...`) and in the WebSocket subprotocol. */
export const PROTOCOL_VERSION = 1;
/** HTTP path prefix for this protocol version. */
export const API_PREFIX = "/v1";
/** The WebSocket subprotocol a client must offer. */
export const WS_SUBPROTOCOL = "hearth.v1";
/** The WebSocket path. */
export const WS_PATH = "/v1/ws";

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
export const DisplayNameSchema = z.string().trim().min(1).max(64);
/** A device's human name ("Firefox on laptop"). */
export const DeviceNameSchema = z.string().trim().min(1).max(64);

/** `POST /v1/setup` — create the practice and its first admin with the one-time setup token. */
export const SetupBodySchema = z.strictObject({
  setupToken: z.string().min(16).max(128),
  practiceName: z.string().trim().min(1).max(120),
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
export interface SessionResponse {
  userId: z.output<typeof UserIdSchema>;
  deviceId: z.output<typeof DeviceIdSchema>;
  practiceId: z.output<typeof PracticeIdSchema>;
  role: Role;
  /** Opaque bearer token; the server stores only its hash. */
  token: string;
  /** For a patient joining through a therapist's invite: their 1:1 conversation. */
  conversationId?: z.output<typeof ConversationIdSchema>;
}

/** `POST /v1/invites` — admins invite therapists (and admins); therapists invite patients. */
export const CreateInviteBodySchema = z.strictObject({
  role: RoleSchema,
  /** Lifetime in hours, 1 to 336 (two weeks). Default 72. */
  ttlHours: z.number().int().min(1).max(336).optional(),
});
export type CreateInviteBody = z.output<typeof CreateInviteBodySchema>;

/** Answer to `POST /v1/invites`. The token is shown once; the server keeps only its hash. */
export interface CreateInviteResponse {
  inviteId: z.output<typeof InviteIdSchema>;
  token: string;
  role: Role;
  expiresAt: string;
}

/** `GET /v1/invites/:token` — what the invite is for, before accepting. */
export interface InviteInfoResponse {
  practiceName: string;
  inviterName: string;
  role: Role;
  expiresAt: string;
}

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

/** `PATCH /v1/devices/:id`: a new name for one of my devices ("Sky's phone"). */
/** `POST /v1/auth/unlock`: the password of the signed-in person, to lift the app's screen lock. */
export const UnlockBodySchema = z.strictObject({ password: PasswordSchema });
export type UnlockBody = z.output<typeof UnlockBodySchema>;

export const RenameDeviceBodySchema = z.strictObject({ name: DeviceNameSchema });
export type RenameDeviceBody = z.output<typeof RenameDeviceBodySchema>;

/** A member as other members see them: display name, role, and presence if visible. */
export interface MemberSummary {
  userId: z.output<typeof UserIdSchema>;
  displayName: string;
  role: Role;
  /** Everything up to this seq reached one of the member's devices (their delivered receipt). */
  deliveredSeq: number;
  /**
   * Everything up to this seq was read, as far as the member shares it: reads made with read
   * receipts off never show here (for the caller's own entry too; their own marker is the
   * summary's `readSeq`). With the live `receipt` events, this lets a device that was offline
   * show the right status.
   */
  readSeq: number;
}

/** A conversation in the list, from the caller's point of view. */
export interface ConversationSummary {
  conversationId: z.output<typeof ConversationIdSchema>;
  kind: "direct" | "group";
  members: MemberSummary[];
  /** Highest sequence number in the conversation's log (0 when empty). */
  lastSeq: number;
  /** ISO time of the last log entry, or of creation. */
  lastActivityAt: string;
  /** The caller's own read watermark (synced across their devices). */
  readSeq: number;
  /** Entries after `readSeq` sent by others. */
  unread: number;
}

/** `GET /v1/me`. */
export interface MeResponse {
  userId: z.output<typeof UserIdSchema>;
  deviceId: z.output<typeof DeviceIdSchema>;
  practiceId: z.output<typeof PracticeIdSchema>;
  role: Role;
  displayName: string;
  login: string;
  showPresence: boolean;
}

/** One device in `GET /v1/devices`. */
export interface DeviceSummary {
  deviceId: z.output<typeof DeviceIdSchema>;
  name: string;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

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

/** One audit entry; ids only, never content. */
export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  subject: string | null;
  /** SHA-256 over the previous hash and this entry's canonical form (hex). */
  hash: string;
}

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

/** Answer to `POST /v1/keys/claim`. A device with no package left is listed in `missing`. */
export interface ClaimKeyPackagesResponse {
  keyPackages: {
    userId: z.output<typeof UserIdSchema>;
    deviceId: z.output<typeof DeviceIdSchema>;
    keyPackage: string;
  }[];
  missing: { userId: z.output<typeof UserIdSchema>; deviceId: z.output<typeof DeviceIdSchema> }[];
}

/** `GET /v1/users/:id/keys` — a contact's pinned identity key and live devices. */
export interface UserKeysResponse {
  userId: z.output<typeof UserIdSchema>;
  identityKey: string | null;
  devices: z.output<typeof DeviceIdSchema>[];
  /**
   * The user's current archive public key record (base64), signed by their identity key on their
   * device; the server stores it as opaque bytes and cannot substitute it. `null` until published.
   */
  archiveKey?: string | null;
}

/** `PUT /v1/keys/archive` — publish this user's signed archive public key record (replaces the old one). */
export const ArchiveKeyBodySchema = z.strictObject({ archiveKey: KeyBytesSchema });
export type ArchiveKeyBody = z.output<typeof ArchiveKeyBodySchema>;

/** Transfer mailbox ids: `trf_` and 128 random bits (base64url), made by the server. */
export const TransferIdSchema = z.string().regex(/^trf_[A-Za-z0-9_-]{16,43}$/, "expected a transfer id");

/** `PUT /v1/transfers/:id` — the old device drops the sealed transfer message into the mailbox. */
export const TransferBodySchema = z.strictObject({ body: KeyBytesSchema });
export type TransferBody = z.output<typeof TransferBodySchema>;

/** Answer to `POST /v1/transfers` (open a mailbox) and `GET /v1/transfers/:id` (read it). */
export interface TransferResponse {
  transferId: string;
  expiresAt: string;
  /** The sealed message, once the other device has put it (base64). */
  body: string | null;
}

/** `GET /v1/conversations/:id/group` — the MLS group's epoch and latest group info. */
export interface GroupStateResponse {
  epoch: number;
  groupInfo: string | null;
}
