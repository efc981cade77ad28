import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { ConversationService } from "./conversation-service.ts";

/** My conversation list, new groups, and reading a conversation's log. */
export async function conversationRoutes(app: FastifyInstance, d: { conversations: ConversationService }) {
  defineRoute(app, "conversations", async ({ session }) => d.conversations.list(session));
  defineRoute(app, "createGroup", async ({ session, body }) =>
    d.conversations.createGroup(session, body.memberIds),
  );
  defineRoute(app, "history", async ({ session, params, query }) => ({
    entries: await d.conversations.history(session, params.id, query.after, query.limit),
  }));
}
