import { z } from "zod";
import {
  AuditEntrySchema,
  DisplayNameSchema,
  IsoTimeSchema,
  LoginSchema,
  PasswordSchema,
  RoleSchema,
} from "./http.ts";
import { InviteIdSchema, UserIdSchema } from "./ids.ts";

/**
 * The admin console's wire shapes (accounts, pending invites and sign-in links, the filtered audit
 * log) and the issued sign-in links that let a person who forgot their password set a new one.
 */

const CountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A sign-in link (the id, not the secret token). */
export const SignInLinkIdSchema = z
  .string()
  .regex(/^lnk_[A-Za-z0-9_-]{16,43}$/, "expected a lnk_ id")
  .brand<"SignInLinkId">();
export type SignInLinkId = z.output<typeof SignInLinkIdSchema>;

/** How long an issued sign-in link works: 24 hours, then it fails like a used one. */
export const SIGN_IN_LINK_TTL_HOURS = 24;

/** One account of the practice as its admin sees it: no content, no keys, no email. */
export const AdminAccountSchema = z.strictObject({
  userId: UserIdSchema,
  displayName: z.string(),
  login: z.string(),
  role: RoleSchema,
  createdAt: IsoTimeSchema,
  /** The latest activity of any of the account's devices (refreshed at most once a minute). */
  lastActiveAt: IsoTimeSchema.nullable(),
  /** Signed-in (live) devices. */
  devices: CountSchema,
  /** When the account was deactivated; null while active. */
  deactivatedAt: IsoTimeSchema.nullable(),
});
export type AdminAccount = z.output<typeof AdminAccountSchema>;

/** Query of `GET /v1/admin/accounts`: all accounts, or one role's. */
export const AdminAccountsQuerySchema = z.strictObject({ role: RoleSchema.optional() });
export type AdminAccountsQuery = z.output<typeof AdminAccountsQuerySchema>;

/** Answer to `GET /v1/admin/accounts`: the practice's accounts, staff first, then by name. */
export const AdminAccountsResponseSchema = z.strictObject({ accounts: z.array(AdminAccountSchema) });
export type AdminAccountsResponse = z.output<typeof AdminAccountsResponseSchema>;

/** Path parameters naming an account. */
export const AccountParamsSchema = z.strictObject({ id: UserIdSchema });

/** An invite not used, not expired and not revoked yet. */
export const PendingInviteSchema = z.strictObject({
  inviteId: InviteIdSchema,
  role: RoleSchema,
  inviterId: UserIdSchema,
  inviterName: z.string(),
  expiresAt: IsoTimeSchema,
});
export type PendingInvite = z.output<typeof PendingInviteSchema>;

/** An issued sign-in link not used, not expired and not revoked yet. */
export const PendingSignInLinkSchema = z.strictObject({
  linkId: SignInLinkIdSchema,
  userId: UserIdSchema,
  userName: z.string(),
  issuerId: UserIdSchema,
  issuerName: z.string(),
  createdAt: IsoTimeSchema,
  expiresAt: IsoTimeSchema,
});
export type PendingSignInLink = z.output<typeof PendingSignInLinkSchema>;

/** Answer to `GET /v1/admin/pending`: the practice's live invites and sign-in links, soonest to expire first. */
export const AdminPendingResponseSchema = z.strictObject({
  invites: z.array(PendingInviteSchema),
  signInLinks: z.array(PendingSignInLinkSchema),
});
export type AdminPendingResponse = z.output<typeof AdminPendingResponseSchema>;

/** Path parameters naming an invite. */
export const InviteParamsSchema = z.strictObject({ id: InviteIdSchema });

/** An audit action name as the log writes it (`invite.create`, `auth.login_failed`). */
export const AuditActionSchema = z.string().regex(/^[a-z][a-z_.]{0,63}$/, "an audit action name");

/** Query of `GET /v1/admin/audit`: filters (all optional) and a page of entries, newest first. */
export const AdminAuditQuerySchema = z.strictObject({
  action: AuditActionSchema.optional(),
  actorId: UserIdSchema.optional(),
  /** Entries at or after this time. */
  from: IsoTimeSchema.optional(),
  /** Entries before this time. */
  to: IsoTimeSchema.optional(),
  /** Entries with seq < `before` (the previous page's `nextBefore`). */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AdminAuditQuery = z.output<typeof AdminAuditQuerySchema>;

/** Answer to `GET /v1/admin/audit`. */
export const AdminAuditResponseSchema = z.strictObject({
  entries: z.array(AuditEntrySchema),
  /** Display names of the practice's accounts among the entries' actors and subjects, by id. */
  names: z.record(z.string(), z.string()),
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: z.number().int().min(1).nullable(),
});
export type AdminAuditResponse = z.output<typeof AdminAuditResponseSchema>;

/** Body of `POST /v1/sign-in-links`: whose link (an admin: anyone in the practice; a therapist: their patients). */
export const CreateSignInLinkBodySchema = z.strictObject({ userId: UserIdSchema });
export type CreateSignInLinkBody = z.output<typeof CreateSignInLinkBodySchema>;

/** Answer to `POST /v1/sign-in-links`: the token is shown once; the server keeps only its hash. */
export const CreateSignInLinkResponseSchema = z.strictObject({
  linkId: SignInLinkIdSchema,
  token: z.string(),
  expiresAt: IsoTimeSchema,
});
export type CreateSignInLinkResponse = z.output<typeof CreateSignInLinkResponseSchema>;

/** Path parameters of `GET /v1/sign-in-links/:token`; any token but a live link's is `link_invalid`. */
export const SignInLinkTokenParamsSchema = z.strictObject({ token: z.string().min(1).max(512) });

/** Path parameters naming a sign-in link. */
export const SignInLinkParamsSchema = z.strictObject({ id: SignInLinkIdSchema });

/** Answer to `GET /v1/sign-in-links/:token`: whose account the link opens. */
export const SignInLinkInfoResponseSchema = z.strictObject({
  displayName: DisplayNameSchema,
  login: LoginSchema,
  practiceName: z.string(),
  expiresAt: IsoTimeSchema,
});
export type SignInLinkInfoResponse = z.output<typeof SignInLinkInfoResponseSchema>;

/** Body of `POST /v1/sign-in-links/redeem`: the link's token and the new password. */
export const RedeemSignInLinkBodySchema = z.strictObject({
  token: z.string().min(1).max(512),
  password: PasswordSchema,
});
export type RedeemSignInLinkBody = z.output<typeof RedeemSignInLinkBodySchema>;

/** Answer to `POST /v1/sign-in-links/redeem`: the login to sign in with, using the new password. */
export const RedeemSignInLinkResponseSchema = z.strictObject({ login: LoginSchema });
export type RedeemSignInLinkResponse = z.output<typeof RedeemSignInLinkResponseSchema>;
