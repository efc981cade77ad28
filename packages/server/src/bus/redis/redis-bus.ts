import { Redis, type RedisOptions } from "ioredis";
import type { Bus, BusEvent, Subscription } from "../bus.ts";

/** Options of the Redis bus. */
export interface RedisBusOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix for channel names, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  redis?: RedisOptions;
  /**
   * Called with each connection error (Redis restarted, network dropped) while ioredis reconnects
   * by itself; without a listener ioredis prints "Unhandled error event" for every attempt.
   */
  onError?: (err: Error) => void;
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
  readonly #reconnectListeners = new Set<() => void>();

  private constructor(pub: Redis, sub: Redis, prefix: string) {
    this.#pub = pub;
    this.#sub = sub;
    this.#prefix = prefix;
    // ioredis subscribes again to every channel when it reconnects (`autoResubscribe`), and emits
    // `ready` once it has. Events published while the connection was away are lost: listeners read
    // them from the store.
    let connectedOnce = false;
    sub.on("ready", () => {
      if (!connectedOnce) {
        connectedOnce = true;
        return;
      }
      for (const l of [...this.#reconnectListeners]) l();
    });
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
    // Publishes wait in ioredis's offline queue while Redis is away and go out once it is back
    // (`maxRetriesPerRequest: null`), so an event published just before a subscriber's resync is not
    // lost in between; the queue holds only the outage's events.
    const pub = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    const sub = new Redis(options.url, common);
    const onError = options.onError ?? (() => {});
    pub.on("error", onError);
    sub.on("error", onError);
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

  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  async ping(): Promise<void> {
    // ioredis queues commands while reconnecting; a readiness probe wants an answer now.
    if (this.#pub.status !== "ready") throw new Error(`Redis connection is ${this.#pub.status}`);
    await this.#pub.ping();
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#reconnectListeners.clear();
    // QUIT waits for an answer: only when connected (while reconnecting it would wait for Redis).
    const end = (r: Redis) => (r.status === "ready" ? r.quit() : Promise.resolve(r.disconnect()));
    await Promise.allSettled([end(this.#pub), end(this.#sub)]);
  }
}
