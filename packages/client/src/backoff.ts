/** Reconnect delay bounds, in milliseconds. */
export interface BackoffOptions {
  /** Shortest delay (and the base of the exponential). Must be > 0. */
  minMs: number;
  /** Longest delay. Must be >= `minMs`. */
  maxMs: number;
}

/**
 * Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"), kept
 * between a minimum and a maximum: the delay before reconnect attempt `attempt` (0-based) is uniform
 * in [min, min(max, min·2^(attempt+1))]. The spread starts at the first attempt, so a crowd of clients
 * dropped by a server restart does not come back in one wave, and never reconnects in a tight loop.
 *
 * @example
 * const ms = fullJitterDelay(3, { minMs: 250, maxMs: 30_000 }); // somewhere in [250, 4000]
 */
export function fullJitterDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (!(opts.minMs > 0 && opts.maxMs >= opts.minMs)) throw new RangeError("need 0 < minMs <= maxMs");
  const n = Math.max(0, Math.min(Math.floor(attempt), 40));
  const cap = Math.min(opts.maxMs, opts.minMs * 2 ** (n + 1));
  // random() is in [0, 1); clamp anyway in case an injected source is not.
  const r = Math.min(1, Math.max(0, random()));
  return Math.floor(opts.minMs + r * (cap - opts.minMs));
}
