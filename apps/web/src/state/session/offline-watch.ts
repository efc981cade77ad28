import { State } from "@hearth/client";

/** How long without a connection before the app says it is offline (when the browser can't tell). */
const OFFLINE_AFTER_MS = 3_000;

/** A connection that needs no "offline" notice: up, catching up, or ended on purpose. */
export function settled(state: State): boolean {
  return state === State.Connected || state === State.Syncing || state === State.Closed;
}

/** What the watch asks about the world. */
export interface OfflineWatchHost {
  /** The connection's state now. */
  current(): State;
  /** Whether a missing connection is worth saying (checked when the time is up). */
  expected(): boolean;
  /** What the browser says (`navigator.onLine`): false means no network at all, for certain. */
  online(): boolean;
  /** Called when the app starts (or stops) saying it is offline. */
  changed(): void;
}

/**
 * Whether the app says it is offline. The browser's word counts at once: when it says there is no
 * network (`navigator.onLine` false, its `offline` event), the app is offline now, even while the
 * socket has not noticed yet (that takes a missed heartbeat). Otherwise only after a few seconds
 * without a connection, so a quick reconnect (a network switch, a server restart) doesn't flash a
 * warning.
 */
export class OfflineWatch {
  /** No network, or no live connection for a few seconds (what is written waits in the outbox). */
  offline = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #host: OfflineWatchHost;

  constructor(host: OfflineWatchHost) {
    this.#host = host;
  }

  /** The connection's state changed, or the browser's network did: say so, or start the clock. */
  changed(state: State = this.#host.current()): void {
    if (!this.#host.online()) {
      this.#clear();
      this.#set(true);
      return;
    }
    if (settled(state)) {
      this.#clear();
      this.#set(false);
      return;
    }
    if (this.offline || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#host.expected() && !settled(this.#host.current())) this.#set(true);
    }, OFFLINE_AFTER_MS);
  }

  stop(): void {
    this.#clear();
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #set(offline: boolean): void {
    if (this.offline === offline) return;
    this.offline = offline;
    this.#host.changed();
  }
}
