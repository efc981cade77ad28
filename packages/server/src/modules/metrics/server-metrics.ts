import type { ErrorCode } from "@hearth/protocol";

/** Where a coded error was answered: an HTTP response or a WebSocket `error` frame. */
export type ErrorTransport = "http" | "ws";

/** What became of one push or one email. Push outcomes are the push sender's; email: sent or failed. */
export type NotificationOutcome = "sent" | "gone" | "retry" | "refused" | "failed";

/**
 * The metrics port: what the server's modules tell about their work, as counts and durations only —
 * never an id, a name or anything a message holds. `noMetrics` ignores everything; the Prometheus
 * adapter (`prometheus/prom-metrics.ts`) records it for `/metrics`.
 */
export interface ServerMetrics {
  /** One inbound WebSocket frame (valid or not). */
  frameReceived(): void;
  /** A new message stored (not a resend, a receipt or a delete). */
  messageStored(): void;
  /** How long one append waited for its group commit, in seconds. */
  observeAppend(seconds: number): void;
  /** How long handing one stored entry to the bus (and this node's sockets) took, in seconds. */
  observeFanOut(seconds: number): void;
  /** A coded error answered to a client. */
  errorAnswered(code: ErrorCode | string, transport: ErrorTransport): void;
  /** One push attempt's outcome. */
  pushOutcome(outcome: NotificationOutcome): void;
  /** One email's outcome. */
  emailOutcome(outcome: NotificationOutcome): void;
}

/** The port's do-nothing implementation, for services built without metrics (unit tests, tools). */
export const noMetrics: ServerMetrics = Object.freeze({
  frameReceived() {},
  messageStored() {},
  observeAppend() {},
  observeFanOut() {},
  errorAnswered() {},
  pushOutcome() {},
  emailOutcome() {},
});
