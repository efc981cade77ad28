/** Something holding writes back until the end of the event-loop turn (a connection's socket). */
export interface Corked {
  /** Writes out what was held this turn. */
  uncork(): void;
}

/**
 * Frames to one socket in one event-loop turn leave in one write. Under load a batch commit acks
 * many senders and fans out many entries in the same turn, often several frames to one socket
 * (its ack, the peer's message, a receipt); each `ws.send` is otherwise its own `writev` system
 * call, the largest single cost in the server's profile. A connection corks its socket at its first
 * frame of a turn and is uncorked here once the turn's callbacks are done (the next check phase):
 * every frame is still written in order, a turn later at most.
 */
export class TurnCork {
  #held: Corked[] = [];
  #armed = false;

  readonly #flush = () => {
    this.#armed = false;
    const held = this.#held;
    this.#held = [];
    for (const c of held) c.uncork();
  };

  /** Uncorks `c` at the end of this turn; call once per turn, when `c` corked its socket. */
  hold(c: Corked): void {
    this.#held.push(c);
    if (this.#armed) return;
    this.#armed = true;
    setImmediate(this.#flush);
  }
}
