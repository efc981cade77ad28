/**
 * A counter every node shares (Redis for a cluster): the rate limits of one client add up across
 * the nodes its requests land on, instead of each node granting the full budget.
 */
export interface SharedCounter {
  /**
   * Adds one to `key`, whose count starts when it is first incremented and lasts `windowMs`.
   * Resolves with the count and the milliseconds left in its window; rejects when the counter's
   * server cannot be reached now.
   */
  incr(key: string, windowMs: number): Promise<{ current: number; ttlMs: number }>;
}

type Done = (err: Error | null, res: { current: number; ttl: number } | null) => void;

/** The part of @fastify/rate-limit's route options a store's `child` reads. */
interface RouteInfo {
  routeInfo: { method: string; url: string };
}

/**
 * A store for @fastify/rate-limit over a {@link SharedCounter}. While the counter is unreachable
 * (Redis restarting) it counts in this process instead, so limits still hold — per node — and no
 * request fails because of the counter.
 */
export class SharedRateLimitStore {
  readonly #counter: SharedCounter;
  readonly #prefix: string;
  readonly #local: Map<string, { current: number; resetAt: number }>;

  constructor(
    counter: SharedCounter,
    prefix = "rl:",
    local = new Map<string, { current: number; resetAt: number }>(),
  ) {
    this.#counter = counter;
    this.#prefix = prefix;
    this.#local = local;
  }

  incr(key: string, done: Done, timeWindow: number): void {
    const k = this.#prefix + key;
    this.#counter.incr(k, timeWindow).then(
      (r) => done(null, { current: r.current, ttl: r.ttlMs }),
      () => done(null, this.#incrLocal(k, timeWindow)),
    );
  }

  #incrLocal(key: string, windowMs: number): { current: number; ttl: number } {
    const now = Date.now();
    let e = this.#local.get(key);
    if (!e || e.resetAt <= now) {
      // Expired entries go when the map grows, not on a timer.
      if (this.#local.size > 10_000) {
        for (const [k, v] of this.#local) if (v.resetAt <= now) this.#local.delete(k);
      }
      e = { current: 0, resetAt: now + windowMs };
      this.#local.set(key, e);
    }
    e.current += 1;
    return { current: e.current, ttl: e.resetAt - now };
  }

  child(route: RouteInfo): SharedRateLimitStore {
    return new SharedRateLimitStore(
      this.#counter,
      `${this.#prefix}${route.routeInfo.method}${route.routeInfo.url}-`,
      this.#local,
    );
  }
}

/** @fastify/rate-limit's `store` option: a class it instantiates once, over `counter`. */
export function sharedStore(counter: SharedCounter) {
  return class extends SharedRateLimitStore {
    constructor() {
      super(counter);
    }
  };
}
