import { State } from "@hearth/client";

/** How long without a connection before the app says it is offline. */
const OFFLINE_AFTER_MS = 3_000;

/** A connection that needs no "offline" notice: up, catching up, or ended on purpose. */
export function settled(state: State): boolean {
  return state === State.Connected || state === State.Syncing || state === State.Closed;
}

/**
 * Whether the app says it is offline: only after a few seconds without a connection, so a quick
 * reconnect (a network switch, a server restart) doesn't flash a warning.
 */
export class OfflineWatch {
  /** No live connection for a few seconds (what is written meanwhile waits in the outbox). */
  offline = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #current: () => State;
  readonly #expected: () => boolean;
  readonly #onOffline: () => void;

  /**
   * @param current the connection's state now
   * @param expected whether a missing connection is worth saying (checked when the time is up)
   * @param onOffline called when the app starts saying it is offline
   */
  constructor(current: () => State, expected: () => boolean, onOffline: () => void) {
    this.#current = current;
    this.#expected = expected;
    this.#onOffline = onOffline;
  }

  /** The connection's state changed (or the network went away): start or stop the clock. */
  changed(state: State): void {
    if (settled(state)) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.offline = false;
      return;
    }
    if (this.offline || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#expected() && !settled(this.#current())) {
        this.offline = true;
        this.#onOffline();
      }
    }, OFFLINE_AFTER_MS);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
