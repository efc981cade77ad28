import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { AdminService } from "./admin-service.ts";
import type { SignInLinkService } from "./sign-in-link-service.ts";

/** What the admin routes use. */
export interface AdminRoutesDeps {
  admin: AdminService;
  links: SignInLinkService;
}

/** The admin console (accounts, pending invites and links, the filtered audit log) and sign-in links. */
export async function adminRoutes(app: FastifyInstance, d: AdminRoutesDeps) {
  defineRoute(app, "adminAccounts", async ({ session, query }) => ({
    accounts: await d.admin.accounts(session, query.role),
  }));
  defineRoute(app, "deactivateAccount", async ({ session, params }) =>
    d.admin.deactivate(session, params.id),
  );
  defineRoute(app, "reactivateAccount", async ({ session, params }) =>
    d.admin.reactivate(session, params.id),
  );
  defineRoute(app, "adminPending", async ({ session }) => d.admin.pending(session));
  defineRoute(app, "revokeInvite", async ({ session, params }) => d.admin.revokeInvite(session, params.id));
  defineRoute(app, "adminAudit", async ({ session, query }) => d.admin.auditLog(session, query));

  defineRoute(app, "createSignInLink", async ({ session, body }) => d.links.issue(session, body.userId));
  defineRoute(app, "revokeSignInLink", async ({ session, params }) => d.links.revoke(session, params.id));
  defineRoute(app, "signInLinkInfo", async ({ params }) => d.links.info(params.token));
  defineRoute(app, "redeemSignInLink", async ({ body }) => d.links.redeem(body));
}
