import { randomBytes } from "node:crypto";
import {
  type CheckinPlan,
  type CheckinPlanId,
  type CheckinPlansResponse,
  type ConversationId,
  type CreateCheckinPlanBody,
  lastCheckinAt,
  nextCheckinAt,
  type UserId,
} from "@hearth/protocol";
import type { Logger } from "pino";
import type { Clock } from "../../clock.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Session } from "../auth/auth-service.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { JobDeferral, Scheduler } from "../schedule/index.ts";
import type { CheckinPlanRecord, CheckinStore } from "./checkin-store.ts";

/** The durable job that reminds a patient of one plan's check-in and queues the next one. */
export const CHECKIN_REMIND_JOB = "checkin.remind";

/** A reminder job's payload: the plan id only. */
interface RemindPayload {
  planId: CheckinPlanId;
}

const dedupeKey = (id: CheckinPlanId) => `checkin:${id}`;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Check-in plans: a therapist member of a conversation assigns a schedule to a patient member; the
 * server reminds the patient (a content-free `checkin` push) at each due time, one durable job per
 * plan that queues its successor. The server never learns the instrument or an answer: both travel
 * end-to-end encrypted in the conversation.
 */
export class CheckinService {
  readonly #store: CheckinStore;
  readonly #conversations: ConversationStore;
  readonly #scheduler: Scheduler;
  readonly #remind: (patientId: UserId, conversationId: ConversationId) => Promise<void>;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: {
    store: CheckinStore;
    conversations: ConversationStore;
    scheduler: Scheduler;
    /** Sends the content-free reminder to the patient's devices (the push module). */
    remind: (patientId: UserId, conversationId: ConversationId) => Promise<void>;
    audit: AuditLog;
    clock: Clock;
    log: Logger;
  }) {
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#scheduler = deps.scheduler;
    this.#remind = deps.remind;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** Registers the reminder job's handler (call once, before the scheduler starts). */
  start(): void {
    this.#scheduler.registerHandler<RemindPayload>(CHECKIN_REMIND_JOB, (p) => this.#fire(p));
  }

  /**
   * Runs one reminder: the plan still exists (a deleted plan's pending job was cancelled, but a job
   * a node was running at that moment may still arrive) and the patient is still a member. The
   * reminder is of the latest due time up to now (a job that runs late, or again, still names the
   * same one), recorded before it goes out, so a job that runs twice (its node was killed between
   * the push and the deferral, and its lease ran out) reminds once. The plan's one job then defers
   * itself to the next due time (a deferral, not a new job: the plan's dedupe key keeps naming it,
   * so deleting the plan cancels it).
   */
  async #fire(p: RemindPayload): Promise<JobDeferral | undefined> {
    const plan = await this.#store.getPlan(p.planId);
    if (!plan) return undefined;
    if (!(await this.#conversations.isMember(plan.conversationId, plan.patientId))) return undefined;
    const now = this.#clock.now();
    const due = lastCheckinAt(schedule(plan), now);
    if (due !== undefined && (await this.#store.claimReminder(plan.id, iso(due), iso(now)))) {
      await this.#remind(plan.patientId, plan.conversationId);
      this.#log.info({ job: CHECKIN_REMIND_JOB, plan: plan.id.slice(0, 10) }, "check-in reminder sent");
    }
    return { deferUntil: nextCheckinAt(schedule(plan), now) };
  }

  async create(
    session: Session,
    conversationId: ConversationId,
    body: CreateCheckinPlanBody,
  ): Promise<CheckinPlan> {
    if (!(await this.#conversations.isMember(conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
    if (session.user.role !== "therapist") throw new HttpRefusal("forbidden");
    const members = await this.#conversations.listMembers(conversationId);
    const patient = members.find((m) => m.userId === body.patientId);
    if (patient?.role !== "patient") throw new HttpRefusal("not_found", "body.patientId");
    const now = this.#clock.now();
    const plan: CheckinPlanRecord = {
      id: `pln_${randomBytes(16).toString("base64url")}` as CheckinPlanId,
      conversationId,
      patientId: body.patientId,
      createdBy: session.user.id,
      timeZone: body.schedule.timeZone,
      time: body.schedule.time,
      ...(body.schedule.days ? { days: [...body.schedule.days].sort((a, b) => a - b) } : {}),
      createdAt: new Date(now).toISOString(),
    };
    await this.#store.createPlan(plan);
    const next = nextCheckinAt(schedule(plan), now);
    await this.#scheduler.enqueue(CHECKIN_REMIND_JOB, { planId: plan.id }, next, {
      dedupeKey: dedupeKey(plan.id),
    });
    await this.#audit.record("checkin.plan_create", session.user.id, plan.id);
    return this.#view(plan);
  }

  async list(session: Session, conversationId: ConversationId): Promise<CheckinPlansResponse> {
    if (!(await this.#conversations.isMember(conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
    let plans = await this.#store.listPlansForConversation(conversationId);
    // A patient in a group sees their own plans, never another patient's.
    if (session.user.role === "patient") plans = plans.filter((p) => p.patientId === session.user.id);
    return { plans: plans.map((p) => this.#view(p)) };
  }

  async mine(session: Session): Promise<CheckinPlansResponse> {
    const plans = await this.#store.listPlansForPatient(session.user.id);
    const out: CheckinPlan[] = [];
    for (const p of plans) {
      if (await this.#conversations.isMember(p.conversationId, session.user.id)) out.push(this.#view(p));
    }
    return { plans: out };
  }

  async remove(session: Session, planId: CheckinPlanId): Promise<void> {
    const plan = await this.#store.getPlan(planId);
    // Someone outside the conversation learns nothing, not even that the id exists.
    if (!plan || !(await this.#conversations.isMember(plan.conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
    if (session.user.role !== "therapist") throw new HttpRefusal("forbidden");
    await this.#scheduler.cancel(dedupeKey(plan.id));
    await this.#store.deletePlan(plan.id);
    await this.#audit.record("checkin.plan_delete", session.user.id, plan.id);
  }

  #view(p: CheckinPlanRecord): CheckinPlan {
    return {
      id: p.id,
      conversationId: p.conversationId,
      patientId: p.patientId,
      createdBy: p.createdBy,
      schedule: schedule(p),
      createdAt: p.createdAt,
      nextAt: new Date(nextCheckinAt(schedule(p), this.#clock.now())).toISOString(),
    };
  }
}

function schedule(p: CheckinPlanRecord) {
  return { timeZone: p.timeZone, time: p.time, ...(p.days ? { days: p.days } : {}) };
}
