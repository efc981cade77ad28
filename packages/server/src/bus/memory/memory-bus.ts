import type { Bus, BusEvent, Subscription } from "../bus.ts";

/** The in-process bus: the default for a single node; no service needed. */
export class MemoryBus implements Bus {
  readonly #topics = new Map<string, Set<(event: BusEvent) => void>>();

  publish(topic: string, event: BusEvent): void {
    const handlers = this.#topics.get(topic);
    if (!handlers) return;
    for (const h of [...handlers]) h(event);
  }

  subscribe(topic: string, handler: (event: BusEvent) => void): Subscription {
    let set = this.#topics.get(topic);
    if (!set) {
      set = new Set();
      this.#topics.set(topic, set);
    }
    set.add(handler);
    const off = () => {
      const s = this.#topics.get(topic);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) this.#topics.delete(topic);
    };
    return { ready: Promise.resolve(), off };
  }

  async close(): Promise<void> {
    this.#topics.clear();
  }
}
