import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { CallService } from "./call-service.ts";

/** The calls module's routes: TURN credentials and the user's call preferences. */
export async function callsPlugin(app: FastifyInstance, d: { calls: CallService }) {
  defineRoute(app, "turnCredentials", async ({ session }) => d.calls.turnCredentials(session));
  defineRoute(app, "callSettings", async ({ session }) => d.calls.settings(session));
  defineRoute(app, "updateCallSettings", async ({ session, body }) => d.calls.updateSettings(session, body));
}
