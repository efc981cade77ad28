import type { ServerMetrics } from "../metrics/server-metrics.ts";
import type { Mailer } from "./mailer.ts";

/** Wraps a mailer so each email's outcome (sent or failed) is counted; sends exactly as the mailer does. */
export function countingMailer(mailer: Mailer, metrics: ServerMetrics): Mailer {
  return {
    async send(mail) {
      try {
        await mailer.send(mail);
      } catch (err) {
        metrics.emailOutcome("failed");
        throw err;
      }
      metrics.emailOutcome("sent");
    },
    close: () => mailer.close(),
  };
}
