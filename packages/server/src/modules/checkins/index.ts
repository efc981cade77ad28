/**
 * The check-ins module: plans (whom to remind, where, when) and their durable reminder jobs. The
 * questions and answers are end-to-end encrypted content the server never sees.
 */
export { checkinPlugin } from "./checkin-plugin.ts";
export { CHECKIN_REMIND_JOB, CheckinService } from "./checkin-service.ts";
export type { CheckinPlanRecord, CheckinStore } from "./checkin-store.ts";
