import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../clock.ts";
import type { JobRecord, JobStats, ScheduleStore } from "./schedule-store.ts";

/** What a handler may answer instead of finishing: run me again at `deferUntil` (not a failure). */
export interface JobDeferral {
  deferUntil: number;
}

/** The job a handler runs. */
export interface JobContext {
  id: string;
  kind: string;
  /** 1 on the first try. */
  attempt: number;
}

/**
 * Runs one job. Resolving finishes it (deleted); resolving with a {@link JobDeferral} runs it again
 * later without counting a failure; throwing retries it with backoff until `maxAttempts`. A job may
 * run more than once if its node dies mid-run (its lease expires and another node takes it), so a
 * handler's effect should be idempotent or checked against the database first.
 */
export type JobHandler<P = unknown> = (
  payload: P,
  job: JobContext,
) => Promise<JobDeferral | undefined> | Promise<void>;

/** Options of the {@link Scheduler}; every field has a default. */
export interface SchedulerOptions {
  /** This node's lease owner name; default a random one per process. */
  nodeId?: string;
  /** How long a claim holds a job; a node that dies mid-job frees it after this. Default 5 minutes. */
  leaseMs?: number;
  /** The longest a node sleeps before looking for due jobs (others may enqueue). Default 10 s. */
  pollMs?: number;
  /** Tries before a job is marked failed. Default 8. */
  maxAttempts?: number;
  /** Retry backoff: base × 2^(attempt−1), capped at max, with full jitter. Default 30 s and 1 h. */
  backoff?: { baseMs: number; maxMs: number };
  /** Jobs claimed per pass. Default 20. */
  batchSize?: number;
}

const DEFAULTS = Object.freeze({
  leaseMs: 5 * 60_000,
  pollMs: 10_000,
  maxAttempts: 8,
  backoff: Object.freeze({ baseMs: 30_000, maxMs: 3_600_000 }),
  batchSize: 20,
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Durable jobs: `enqueue` stores a job (at most one pending per dedupe key), and every node runs a
 * loop that leases due jobs, runs their kind's handler, and completes, defers, retries (with
 * backoff) or fails each one. Jobs survive restarts (they are rows); with several nodes each due
 * job is leased by one node at a time. Time comes from the server's {@link Clock}, so tests move it.
 *
 * @example
 * scheduler.registerHandler<{ userId: string }>("push.retry", async ({ userId }) => { ... });
 * await scheduler.enqueue("push.retry", { userId }, clock.now() + 60_000, { dedupeKey: `push:${userId}` });
 */
export class Scheduler {
  readonly #store: ScheduleStore;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #nodeId: string;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #batchSize: number;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;
  #pass: Promise<number> | undefined;

  constructor(deps: { store: ScheduleStore; clock: Clock; log?: Logger }, options: SchedulerOptions = {}) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#nodeId = options.nodeId ?? `node-${randomBytes(6).toString("hex")}`;
    this.#leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.#pollMs = options.pollMs ?? DEFAULTS.pollMs;
    this.#maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
    this.#backoff = options.backoff ?? DEFAULTS.backoff;
    this.#batchSize = options.batchSize ?? DEFAULTS.batchSize;
  }

  /** This node's lease owner name. */
  get nodeId() {
    return this.#nodeId;
  }

  /** Sets the handler of a job kind (one per kind; a later one replaces it). */
  registerHandler<P>(kind: string, handler: JobHandler<P>): void {
    this.#handlers.set(kind, handler as JobHandler);
  }

  /**
   * Stores a job of `kind` due at `runAt` (epoch ms or a Date). With a `dedupeKey`, when a job with
   * that key is pending already nothing is stored and that job's id and due time come back
   * (`created: false`). The payload is stored as JSON: ids and numbers only, never content.
   */
  async enqueue(
    kind: string,
    payload: unknown,
    runAt: number | Date,
    options: { dedupeKey?: string } = {},
  ): Promise<{ id: string; runAt: number; created: boolean }> {
    const at = typeof runAt === "number" ? runAt : runAt.getTime();
    const r = await this.#store.enqueueJob({
      id: `job_${randomBytes(16).toString("base64url")}`,
      kind,
      payload: JSON.stringify(payload ?? null),
      runAt: iso(at),
      dedupeKey: options.dedupeKey ?? null,
      createdAt: iso(this.#clock.now()),
    });
    const due = Date.parse(r.runAt);
    if (this.#running) this.#wakeAt(due);
    return { id: r.id, runAt: due, created: r.created };
  }

  /** Cancels the pending job with this dedupe key unless a node is running it; whether one was. */
  cancel(dedupeKey: string): Promise<boolean> {
    return this.#store.cancelJob(dedupeKey, iso(this.#clock.now()));
  }

  /** Counts, recent failures and the next due time, for the admin. */
  stats(failureLimit = 20): Promise<JobStats> {
    return this.#store.jobStats(iso(this.#clock.now()), failureLimit);
  }

  /** Starts this node's loop: it runs due jobs now and whenever the next one falls due. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#wakeAt(this.#clock.now());
  }

  /** Stops the loop and waits for the pass in progress. Leased jobs not finished run again later. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#pass?.catch(() => 0);
  }

  /**
   * Runs every job due now (claiming in batches until none is left) and resolves with how many ran.
   * The loop calls it; tests call it after moving a manual clock (a documented test hook). A call
   * during a pass waits for that pass and then runs another.
   */
  async runDue(): Promise<number> {
    while (this.#pass) await this.#pass.catch(() => 0);
    this.#pass = this.#runPasses();
    try {
      return await this.#pass;
    } finally {
      this.#pass = undefined;
    }
  }

  async #runPasses(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = this.#clock.now();
      const jobs = await this.#store.claimDue(
        iso(now),
        this.#nodeId,
        iso(now + this.#leaseMs),
        this.#batchSize,
      );
      for (const job of jobs) {
        await this.#runOne(job);
        ran += 1;
      }
      if (jobs.length < this.#batchSize) return ran;
    }
  }

  async #runOne(job: JobRecord): Promise<void> {
    const handler = this.#handlers.get(job.kind);
    const now = () => this.#clock.now();
    if (!handler) {
      // Another node (a newer version) may know it: leave it to them for a while, then fail it.
      if (job.attempts >= this.#maxAttempts) {
        await this.#store.failJob(job.id, this.#nodeId, "no_handler", iso(now()));
      } else {
        await this.#store.retryJob(
          job.id,
          this.#nodeId,
          iso(now() + this.#delay(job.attempts)),
          "no_handler",
          true,
        );
      }
      return;
    }
    try {
      const outcome = await handler(JSON.parse(job.payload) as unknown, {
        id: job.id,
        kind: job.kind,
        attempt: job.attempts,
      });
      if (outcome && Number.isFinite(outcome.deferUntil)) {
        // Never into the past: a deferral to "now" would be claimed again by this very pass.
        const at = Math.max(outcome.deferUntil, now() + 1000);
        await this.#store.retryJob(job.id, this.#nodeId, iso(at), job.lastError, false);
        if (this.#running) this.#wakeAt(at);
      } else {
        await this.#store.completeJob(job.id, this.#nodeId);
      }
    } catch (err) {
      // A code, never the message: an error's text may carry an address or other data.
      const e = err as { code?: unknown; name?: unknown };
      const code = String(
        typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "error",
      ).slice(0, 64);
      if (job.attempts >= this.#maxAttempts) {
        await this.#store.failJob(job.id, this.#nodeId, code, iso(now()));
        this.#log?.warn({ job: job.id, kind: job.kind, code }, "job failed for good");
      } else {
        const at = now() + this.#delay(job.attempts);
        await this.#store.retryJob(job.id, this.#nodeId, iso(at), code, true);
        this.#log?.info({ job: job.id, kind: job.kind, code, attempt: job.attempts }, "job will be retried");
      }
    }
  }

  /** Full-jitter exponential backoff: uniform in [base/2, min(max, base × 2^(attempt−1))]. */
  #delay(attempt: number): number {
    const cap = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** Math.max(0, attempt - 1));
    const floor = Math.min(cap, this.#backoff.baseMs / 2);
    return Math.round(floor + Math.random() * (cap - floor));
  }

  #wakeAt(at: number): void {
    if (!this.#running) return;
    const now = this.#clock.now();
    const when = Math.min(Math.max(at, now), now + this.#pollMs);
    if (this.#timer !== undefined && this.#timerAt <= when) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timerAt = when;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      void this.#tick();
    }, when - now);
  }

  async #tick(): Promise<void> {
    try {
      await this.runDue();
    } catch (err) {
      this.#log?.error(
        { err: { type: (err as Error).name, code: (err as { code?: string }).code } },
        "job pass failed",
      );
    }
    if (!this.#running) return;
    const next = await this.#store.nextDueAt().catch(() => undefined);
    this.#wakeAt(next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next));
  }
}
