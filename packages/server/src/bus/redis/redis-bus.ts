import { Redis, type RedisOptions } from "ioredis";
import type { Bus, BusEvent, Subscription } from "../bus.ts";

/** Options of the Redis bus. */
export interface RedisBusOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix for channel names, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  redis?: RedisOptions;
}

/**
 * The fan-out bus for many nodes: Redis pub/sub. One publishing and one subscribing connection per
 * node; a node subscribes to a channel while at least one local handler wants it. Pub/sub is
 * fire-and-forget — a lost event costs latency, never data (sockets read gaps from the store).
 */
export class RedisBus implements Bus {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #handlers = new Map<string, Set<(event: BusEvent) => void>>();
  readonly #ready = new Map<string, Promise<void>>();

  private constructor(pub: Redis, sub: Redis, prefix: string) {
    this.#pub = pub;
    this.#sub = sub;
    this.#prefix = prefix;
    sub.on("messageBuffer", (channel: Buffer, message: Buffer) => {
      const topic = channel.toString("utf8").slice(this.#prefix.length);
      const handlers = this.#handlers.get(topic);
      if (!handlers) return;
      let event: BusEvent;
      try {
        event = JSON.parse(message.toString("utf8")) as BusEvent;
      } catch {
        return;
      }
      for (const h of [...handlers]) h(event);
    });
  }

  /** Connects both connections; rejects if Redis is unreachable. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const common: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 3, ...options.redis };
    const pub = new Redis(options.url, common);
    const sub = new Redis(options.url, common);
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw err;
    }
    return new RedisBus(pub, sub, options.prefix ?? "hearth:");
  }

  publish(topic: string, event: BusEvent): void {
    // Fire and forget by design; a failed publish is logged by ioredis and recovered by gap sync.
    this.#pub.publish(this.#prefix + topic, JSON.stringify(event)).catch(() => undefined);
  }

  subscribe(topic: string, handler: (event: BusEvent) => void): Subscription {
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
      this.#ready.set(
        topic,
        this.#sub.subscribe(this.#prefix + topic).then(
          () => undefined,
          () => undefined,
        ),
      );
    }
    set.add(handler);
    const off = () => {
      const s = this.#handlers.get(topic);
      if (!s?.delete(handler) || s.size > 0) return;
      this.#handlers.delete(topic);
      this.#ready.delete(topic);
      void this.#sub.unsubscribe(this.#prefix + topic).catch(() => undefined);
    };
    return { ready: this.#ready.get(topic) ?? Promise.resolve(), off };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    await Promise.allSettled([this.#pub.quit(), this.#sub.quit()]);
  }
}
