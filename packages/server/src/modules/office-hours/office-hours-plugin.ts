import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { OfficeHoursService } from "./office-hours-service.ts";

/** The office-hours module's routes: my hours, a conversation's therapists' hours, its auto-replies. */
export async function officeHoursPlugin(app: FastifyInstance, d: { officeHours: OfficeHoursService }) {
  defineRoute(app, "myOfficeHours", async ({ session }) => d.officeHours.mine(session));
  defineRoute(app, "updateOfficeHours", async ({ session, body }) => d.officeHours.update(session, body));
  defineRoute(app, "conversationOfficeHours", async ({ session, params }) =>
    d.officeHours.forConversation(session, params.id),
  );
  defineRoute(app, "autoReplies", async ({ session, params }) => ({
    autoReplies: await d.officeHours.autoReplies(session, params.id),
  }));
}
