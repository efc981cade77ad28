import type { FastifyInstance } from "fastify";
import { defineRoute } from "./define-route.ts";

/** `GET /healthz`: the server is up. */
export async function healthRoutes(app: FastifyInstance) {
  defineRoute(app, "health", async () => ({ ok: true as const }));
}
