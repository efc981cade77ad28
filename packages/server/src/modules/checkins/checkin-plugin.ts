import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { CheckinService } from "./checkin-service.ts";

/** Check-in plans: assign, list (per conversation and my own), end. */
export async function checkinPlugin(app: FastifyInstance, d: { checkins: CheckinService }) {
  defineRoute(app, "createCheckinPlan", async ({ session, params, body }) =>
    d.checkins.create(session, params.id, body),
  );
  defineRoute(app, "listCheckinPlans", async ({ session, params }) => d.checkins.list(session, params.id));
  defineRoute(app, "myCheckinPlans", async ({ session }) => d.checkins.mine(session));
  defineRoute(app, "deleteCheckinPlan", async ({ session, params }) =>
    d.checkins.remove(session, params.planId),
  );
}
