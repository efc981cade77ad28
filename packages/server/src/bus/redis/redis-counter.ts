import { Redis, type RedisOptions } from "ioredis";
import type { SharedCounter } from "../../http/rate-limit-store.ts";

/** INCR, and the window's expiry on the first one, in one round trip. */
const INCR_WINDOW = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {current, ttl}
`;

/** Options of {@link RedisCounter}. */
export interface RedisCounterOptions {
  url: string;
  /** Key prefix, as the bus's, so several deployments can share one Redis. */
  prefix?: string;
  redis?: RedisOptions;
  onError?: (err: Error) => void;
}

/**
 * The rate-limit counters of a cluster in Redis, on a connection of their own that never queues:
 * while Redis is away a count fails at once (the caller counts locally) instead of holding the
 * request until Redis is back.
 */
export class RedisCounter implements SharedCounter {
  readonly #redis: Redis;
  readonly #prefix: string;

  private constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  static async connect(options: RedisCounterOptions): Promise<RedisCounter> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      ...options.redis,
    });
    redis.on("error", options.onError ?? (() => {}));
    redis.defineCommand("hearthIncrWindow", { numberOfKeys: 1, lua: INCR_WINDOW });
    await redis.connect();
    return new RedisCounter(redis, options.prefix ?? "hearth:");
  }

  async incr(key: string, windowMs: number): Promise<{ current: number; ttlMs: number }> {
    if (this.#redis.status !== "ready") throw new Error(`Redis connection is ${this.#redis.status}`);
    const run = (
      this.#redis as unknown as Record<string, (k: string, w: number) => Promise<[number, number]>>
    ).hearthIncrWindow;
    const [current, ttlMs] = await run!.call(this.#redis, this.#prefix + key, windowMs);
    return { current, ttlMs };
  }

  async close(): Promise<void> {
    if (this.#redis.status === "ready") await this.#redis.quit().catch(() => undefined);
    else this.#redis.disconnect();
  }
}
