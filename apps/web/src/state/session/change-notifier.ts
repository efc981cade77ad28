/**
 * Tells the screens that something they show changed: listeners are called, batched (a backlog
 * of thousands of entries re-renders a few times, not once per entry) or at once, and a version
 * number moves for `useSyncExternalStore`.
 */
export class ChangeNotifier {
  readonly #listeners = new Set<() => void>();
  #version = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Re-render hook: called (batched) after anything shown changed. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** A number that changes whenever anything shown changed. */
  get version(): number {
    return this.#version;
  }

  /** Something shown changed: tell the listeners soon (batched), or `now`. */
  changed(now = false): void {
    if (now) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#notify();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#notify();
    }, 30);
  }

  /** Drops a pending batched notification. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #notify(): void {
    this.#version++;
    for (const l of this.#listeners) l();
  }
}
