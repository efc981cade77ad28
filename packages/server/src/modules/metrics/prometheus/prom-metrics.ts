import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ErrorTransport, NotificationOutcome, ServerMetrics } from "../server-metrics.ts";

/** Values read at scrape time: open sockets, the job queue, the database pool. */
export interface MetricsSources {
  /** Open WebSocket connections on this node. */
  connections(): number;
  /** The durable job queue: pending jobs by kind, due now, running, failed by kind. */
  jobs(): Promise<{
    pending: Record<string, number>;
    due: number;
    running: number;
    failed: Record<string, number>;
  }>;
  /** The database pool, when the storage has one (PostgreSQL): connections open, idle, waited for. */
  pool(): { total: number; idle: number; waiting: number } | undefined;
}

/** Latency buckets in seconds: sub-millisecond (in-process) to a few seconds (a stalled database). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The metrics port over prom-client, with its own registry (no global state): counters and
 * histograms the modules feed, gauges read from {@link MetricsSources} at each scrape, and Node's
 * process metrics (CPU, memory, event-loop lag). Names start with `hearth_`.
 *
 * @example
 * const metrics = new PromMetrics();
 * metrics.attach({ connections: () => gateway.size, jobs: () => scheduler.stats(0), pool: () => undefined });
 * const text = await metrics.text();
 */
export class PromMetrics implements ServerMetrics {
  readonly registry = new Registry();
  #sources: MetricsSources | undefined;
  readonly #frames: Counter;
  readonly #messages: Counter;
  readonly #append: Histogram;
  readonly #fanOut: Histogram;
  readonly #errors: Counter<"code" | "transport">;
  readonly #push: Counter<"outcome">;
  readonly #email: Counter<"outcome">;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "hearth_" });
    this.#frames = new Counter({
      name: "hearth_frames_received_total",
      help: "WebSocket frames received (valid or not).",
      registers,
    });
    this.#messages = new Counter({
      name: "hearth_messages_stored_total",
      help: "New messages stored durably (resends, receipts and deletes not counted).",
      registers,
    });
    this.#append = new Histogram({
      name: "hearth_append_seconds",
      help: "Time from an append's arrival to its group commit.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#fanOut = new Histogram({
      name: "hearth_fanout_seconds",
      help: "Time to hand one stored entry to the bus and this node's subscribed sockets.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#errors = new Counter({
      name: "hearth_errors_total",
      help: "Coded errors answered to clients, by error code and transport (http, ws).",
      labelNames: ["code", "transport"],
      registers,
    });
    this.#push = new Counter({
      name: "hearth_push_total",
      help: "Web Push attempts by outcome (sent, gone, retry, refused).",
      labelNames: ["outcome"],
      registers,
    });
    this.#email = new Counter({
      name: "hearth_email_total",
      help: "Notification emails by outcome (sent, failed).",
      labelNames: ["outcome"],
      registers,
    });
    const sources = () => this.#sources;
    new Gauge({
      name: "hearth_connections",
      help: "Open WebSocket connections on this node.",
      registers,
      collect() {
        this.set(sources()?.connections() ?? 0);
      },
    });
    new Gauge({
      name: "hearth_jobs",
      help: "Durable jobs by state (pending, due, running, failed) and kind.",
      labelNames: ["state", "kind"],
      registers,
      async collect() {
        const s = sources();
        this.reset();
        if (!s) return;
        const j = await s.jobs();
        for (const [kind, n] of Object.entries(j.pending)) this.set({ state: "pending", kind }, n);
        for (const [kind, n] of Object.entries(j.failed)) this.set({ state: "failed", kind }, n);
        this.set({ state: "due", kind: "all" }, j.due);
        this.set({ state: "running", kind: "all" }, j.running);
      },
    });
    new Gauge({
      name: "hearth_db_pool_connections",
      help: "Database pool connections by state (total, idle, waiting); absent for SQLite.",
      labelNames: ["state"],
      registers,
      collect() {
        this.reset();
        const p = sources()?.pool();
        if (!p) return;
        this.set({ state: "total" }, p.total);
        this.set({ state: "idle" }, p.idle);
        this.set({ state: "waiting" }, p.waiting);
      },
    });
  }

  /** Connects the scrape-time gauges to the running server's parts. */
  attach(sources: MetricsSources) {
    this.#sources = sources;
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition's content type (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  frameReceived() {
    this.#frames.inc();
  }
  messageStored() {
    this.#messages.inc();
  }
  observeAppend(seconds: number) {
    this.#append.observe(seconds);
  }
  observeFanOut(seconds: number) {
    this.#fanOut.observe(seconds);
  }
  errorAnswered(code: string, transport: ErrorTransport) {
    this.#errors.inc({ code, transport });
  }
  pushOutcome(outcome: NotificationOutcome) {
    this.#push.inc({ outcome });
  }
  emailOutcome(outcome: NotificationOutcome) {
    this.#email.inc({ outcome });
  }
}
