import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { Scheduler } from "./schedule-service.ts";

/** The schedule module's routes: the admin's view of the job queue (counts, failures, next due). */
export async function schedulePlugin(app: FastifyInstance, d: { scheduler: Scheduler }) {
  defineRoute(app, "adminJobs", async () => d.scheduler.stats());
}
