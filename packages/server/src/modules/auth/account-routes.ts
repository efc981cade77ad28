import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { AccountService } from "./account-service.ts";

/** What the account routes use. */
export interface AccountRoutesDeps {
  account: AccountService;
}

/** Changing my password; checking a sign-in name while joining. */
export async function accountRoutes(app: FastifyInstance, d: AccountRoutesDeps) {
  defineRoute(app, "changePassword", async ({ session, body }) => d.account.changePassword(session, body));
  defineRoute(app, "loginAvailable", async ({ body }) => d.account.loginAvailable(body));
}
