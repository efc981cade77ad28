import type { ReadyResponse } from "@hearth/protocol";
import type { Logger } from "pino";

/** One part the server needs, and how to ask it whether it works now (rejecting with a reason). */
export interface ReadinessPart {
  name: "database" | "redis" | "blobs";
  check(): Promise<void>;
}

/** A check that has not answered within this time counts as failed (a hung database is not ready). */
const CHECK_TIMEOUT_MS = 3000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Asks every part at once and says which failed. The reasons go to the log (as words for the
 * operator); the answer names only the parts.
 */
export async function checkReadiness(parts: readonly ReadinessPart[], log: Logger): Promise<ReadyResponse> {
  const results = await Promise.allSettled(parts.map((p) => withTimeout(p.check(), CHECK_TIMEOUT_MS)));
  const checks: Record<string, "ok" | "failed"> = {};
  const failed: ReadyResponse["failed"] = [];
  results.forEach((r, i) => {
    const part = parts[i]!;
    checks[part.name] = r.status === "fulfilled" ? "ok" : "failed";
    if (r.status === "rejected") {
      failed.push(part.name);
      // The reason is for the operator (e.g. "database file … is gone"); a driver's message can name
      // the database login or host, never a user's data.
      const reason = r.reason instanceof Error ? r.reason.message : String(r.reason);
      log.warn({ part: part.name, reason }, "not ready");
    }
  });
  return { ready: failed.length === 0, checks: checks as ReadyResponse["checks"], failed };
}
