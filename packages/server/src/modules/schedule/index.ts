/**
 * The schedule module: durable jobs (`Scheduler`: enqueue, handlers, leases, retries) and quiet
 * hours (`QuietHours`). Other modules use it through this file.
 */
export { nextAllowedInstant, QuietHours, type QuietWindow, zonedInstant } from "./quiet-hours.ts";
export { schedulePlugin } from "./schedule-plugin.ts";
export {
  type JobContext,
  type JobDeferral,
  type JobHandler,
  Scheduler,
  type SchedulerOptions,
} from "./schedule-service.ts";
export type { JobRecord, JobStats, NewJob, ScheduleStore } from "./schedule-store.ts";
