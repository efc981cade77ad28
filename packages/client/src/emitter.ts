/**
 * A small typed event emitter: `on` returns the function that removes the listener. A listener that
 * throws does not stop the others or the emitter; its error is rethrown on a later microtask so it
 * still reaches the platform's unhandled-error reporting.
 *
 * @example
 * class Door extends Emitter<{ open: { by: string } }> {}
 * const off = door.on("open", (e) => console.log(e.by));
 */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs for the next event only; returns a function that removes it. */
  once<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  /** Calls every listener of `event` in the order they were added. */
  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    // A copy, so listeners added or removed by a listener take effect from the next event; with one
    // listener (the usual case, once per message) there is nothing to copy.
    if (set.size === 1) {
      for (const l of set) this.#call(l as (p: Events[K]) => void, payload);
      return;
    }
    for (const l of [...set]) this.#call(l as (p: Events[K]) => void, payload);
  }

  #call<P>(listener: (p: P) => void, payload: P): void {
    try {
      listener(payload);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
