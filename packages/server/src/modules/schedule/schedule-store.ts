/** A job as stored: its kind, its JSON payload, when it is due and how often it has been tried. */
export interface JobRecord {
  id: string;
  kind: string;
  /** The payload as JSON text (ids and numbers only: never content, names or addresses). */
  payload: string;
  /** When it is due (ISO-8601). */
  runAt: string;
  dedupeKey: string | null;
  status: "pending" | "failed";
  /** Claims so far, the current one included. */
  attempts: number;
  /** A short error code of the last failed attempt (never an error message, which may hold data). */
  lastError: string | null;
}

/** A job to store: at most one pending job per `dedupeKey`. */
export interface NewJob {
  id: string;
  kind: string;
  payload: string;
  runAt: string;
  dedupeKey: string | null;
  createdAt: string;
}

/** What an admin sees of the queue: counts, recent failures and the next due time. Ids and kinds only. */
export interface JobStats {
  /** Pending jobs (due or not), by kind. */
  pending: Record<string, number>;
  /** Pending jobs due now, leased or not. */
  due: number;
  /** Jobs a node holds a live lease on (running now). */
  running: number;
  /** Jobs that used up their attempts, by kind. */
  failed: Record<string, number>;
  /** The most recent failed jobs, newest first. */
  failures: { id: string; kind: string; attempts: number; lastError: string | null; at: string }[];
  /** When the next pending job can be claimed, or null when none is pending. */
  nextDueAt: string | null;
}

/**
 * The schedule module's port: a durable job table with row leases. A node claims due jobs by
 * leasing them (`claimDue`), runs them, and then completes, retries or fails each one with its
 * lease owner as a guard, so a node whose lease expired (it died or stalled) cannot finish a job
 * someone else now runs. Implemented over SQL in `storage/kysely/schedule-store.ts`;
 * `test/stores/schedule-suite.ts` is its conformance suite.
 */
export interface ScheduleStore {
  /**
   * Stores a job; when a pending job with the same dedupe key exists, stores nothing and returns that
   * job's id and due time (`created: false`).
   */
  enqueueJob(job: NewJob): Promise<{ id: string; runAt: string; created: boolean }>;
  /**
   * Leases up to `limit` due pending jobs (due at `now` or before, lease absent or expired) to `owner`
   * until `leaseUntil`, adding one to each one's attempts; a job leased by one caller is never
   * returned to another until the lease expires (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
   */
  claimDue(now: string, owner: string, leaseUntil: string, limit: number): Promise<JobRecord[]>;
  /** Deletes a finished job, if `owner` still holds its lease. */
  completeJob(id: string, owner: string): Promise<boolean>;
  /**
   * Releases a job to run again at `runAt`, if `owner` still holds its lease. `countAttempt: false`
   * (a deferral, not a failure) takes back the attempt its claim counted.
   */
  retryJob(
    id: string,
    owner: string,
    runAt: string,
    lastError: string | null,
    countAttempt: boolean,
  ): Promise<boolean>;
  /** Marks a job failed for good (kept for the admin; its dedupe key is freed), if `owner` holds it. */
  failJob(id: string, owner: string, lastError: string, at: string): Promise<boolean>;
  /** Deletes the pending job with this dedupe key that no node is running; whether one was deleted. */
  cancelJob(dedupeKey: string, now: string): Promise<boolean>;
  /** When the next pending job can be claimed (its due time, or its live lease's expiry), or undefined. */
  nextDueAt(): Promise<string | undefined>;
  /** Counts and failures for the admin. */
  jobStats(now: string, failureLimit: number): Promise<JobStats>;
}
