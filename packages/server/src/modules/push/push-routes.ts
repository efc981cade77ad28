import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { PushService } from "./push-service.ts";

/** Web Push: the VAPID key, this device's subscription, and what a push's reference names. */
export async function pushRoutes(app: FastifyInstance, d: { push: PushService }) {
  defineRoute(app, "pushKey", async () => ({ publicKey: d.push.publicKey() }));
  defineRoute(app, "pushStatus", async ({ session }) => d.push.status(session));
  defineRoute(app, "pushSubscribe", async ({ session, body }) => d.push.subscribe(session, body));
  defineRoute(app, "pushUnsubscribe", async ({ session }) => d.push.forgetDevice(session.device.id));
  defineRoute(app, "pushRef", async ({ session, params }) => d.push.resolveRef(session, params.ref));
}
