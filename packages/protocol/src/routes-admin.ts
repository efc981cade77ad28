import {
  AccountParamsSchema,
  AdminAccountSchema,
  AdminAccountsQuerySchema,
  AdminAccountsResponseSchema,
  AdminAuditQuerySchema,
  AdminAuditResponseSchema,
  AdminPendingResponseSchema,
  CreateSignInLinkBodySchema,
  CreateSignInLinkResponseSchema,
  InviteParamsSchema,
  RedeemSignInLinkBodySchema,
  RedeemSignInLinkResponseSchema,
  SignInLinkInfoResponseSchema,
  SignInLinkParamsSchema,
  SignInLinkTokenParamsSchema,
} from "./admin.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

/**
 * The admin console's endpoints and the issued sign-in links, part of {@link ROUTES} (kept in their
 * own file so the table stays readable).
 */
export const ADMIN_ROUTES = {
  adminAccounts: route({
    method: "GET",
    path: "/v1/admin/accounts",
    auth: "admin",
    query: AdminAccountsQuerySchema,
    response: AdminAccountsResponseSchema,
    summary: "The practice's accounts: name, login, role, last active, live devices, deactivation.",
  }),
  deactivateAccount: route({
    method: "POST",
    path: "/v1/admin/accounts/:id/deactivate",
    auth: "admin",
    params: AccountParamsSchema,
    response: AdminAccountSchema,
    summary:
      "Deactivates an account: every device signed out at once (sockets closed), sign-in refused; audited.",
  }),
  reactivateAccount: route({
    method: "POST",
    path: "/v1/admin/accounts/:id/reactivate",
    auth: "admin",
    params: AccountParamsSchema,
    response: AdminAccountSchema,
    summary: "Lets a deactivated account sign in again; audited.",
  }),
  adminPending: route({
    method: "GET",
    path: "/v1/admin/pending",
    auth: "admin",
    response: AdminPendingResponseSchema,
    summary: "The practice's live invites and sign-in links (never their tokens).",
  }),
  revokeInvite: route({
    method: "DELETE",
    path: "/v1/admin/invites/:id",
    auth: "admin",
    params: InviteParamsSchema,
    response: "empty",
    summary: "Withdraws a pending invite: its link stops working; audited.",
  }),
  adminAudit: route({
    method: "GET",
    path: "/v1/admin/audit",
    auth: "admin",
    query: AdminAuditQuerySchema,
    response: AdminAuditResponseSchema,
    summary: "Audit entries newest first, filtered by action, actor and time; reading it is audited.",
  }),
  createSignInLink: route({
    method: "POST",
    path: "/v1/sign-in-links",
    auth: "session",
    limit: "auth",
    body: CreateSignInLinkBodySchema,
    response: CreateSignInLinkResponseSchema,
    summary: "A single-use 24-hour link to set a new password (admins: anyone; therapists: their patients).",
  }),
  revokeSignInLink: route({
    method: "DELETE",
    path: "/v1/sign-in-links/:id",
    auth: "session",
    params: SignInLinkParamsSchema,
    response: "empty",
    summary: "Withdraws a sign-in link (its issuer or an admin); audited.",
  }),
  signInLinkInfo: route({
    method: "GET",
    path: "/v1/sign-in-links/:token",
    auth: "public",
    limit: "auth",
    params: SignInLinkTokenParamsSchema,
    response: SignInLinkInfoResponseSchema,
    summary: "Whose account a sign-in link opens, before using it.",
  }),
  redeemSignInLink: route({
    method: "POST",
    path: "/v1/sign-in-links/redeem",
    auth: "public",
    limit: "auth",
    body: RedeemSignInLinkBodySchema,
    response: RedeemSignInLinkResponseSchema,
    summary: "Uses a sign-in link once: sets the new password (devices and history are kept); audited.",
  }),
} as const satisfies Record<string, RouteSpec>;
