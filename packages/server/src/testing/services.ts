import { describe } from "vitest";

/** Whether CI demands every service-backed suite run (HEARTH_REQUIRE_SERVICES=1). */
export const REQUIRE_SERVICES = process.env.HEARTH_REQUIRE_SERVICES === "1";

export const REDIS_URL = process.env.HEARTH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Is Redis answering? */
export async function redisReachable(url = REDIS_URL): Promise<boolean> {
  const { Redis } = await import("ioredis");
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * `describe` for a suite that needs a service: runs when it is reachable; otherwise fails under
 * HEARTH_REQUIRE_SERVICES=1 and is skipped, saying why, elsewhere.
 */
export function describeWithService(name: string, available: boolean, service: string, fn: () => void) {
  if (available) return describe(name, fn);
  if (REQUIRE_SERVICES) {
    return describe(name, () => {
      throw new Error(`${service} is required (HEARTH_REQUIRE_SERVICES=1) but not reachable`);
    });
  }
  return describe.skip(`${name} — skipped: ${service} not reachable`, fn);
}
