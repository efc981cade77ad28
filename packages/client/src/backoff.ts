/** Reconnect delay bounds. */
export interface BackoffOptions {
  /** Smallest upper bound of the first delay, ms. */
  minMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

/**
 * Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"): the
 * delay before attempt `n` (0-based) is uniform in [0, min(max, min·2ⁿ)], so a crowd of clients
 * reconnecting after a restart spreads out instead of arriving in waves.
 */
export function fullJitterDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const cap = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}
