import type { Clock } from "../../clock.ts";

/** A refill rate and the most a bucket holds. */
export interface Rate {
  perSecond: number;
  burst: number;
}

/** A token bucket: starts full, refills `perSecond` on the clock, never above `burst`. */
export class TokenBucket {
  readonly #rate: Rate;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(rate: Rate, clock: Clock) {
    this.#rate = rate;
    this.#clock = clock;
    this.#tokens = rate.burst;
    this.#at = clock.now();
  }

  /** Tokens available at `now` (read from the clock when not given). */
  available(now = this.#clock.now()): number {
    if (now > this.#at) {
      this.#tokens = Math.min(
        this.#rate.burst,
        this.#tokens + ((now - this.#at) / 1000) * this.#rate.perSecond,
      );
      this.#at = now;
    }
    return this.#tokens;
  }

  /** Is the bucket back at its burst (nothing owed)? */
  full(): boolean {
    return this.available() >= this.#rate.burst;
  }

  /** Takes `n` tokens; the caller checked {@link TokenBucket.available} first (at the same `now`). */
  take(n: number, now = this.#clock.now()) {
    this.#tokens = this.available(now) - n;
  }
}

/** The three budgets one socket's frames are charged to. */
export interface SocketBudget {
  /** From `hello` on, the socket's frames count against the user's budget too. */
  bindUser(userId: string): void;
  /**
   * Charges one inbound frame of `bytes`: one frame token, `bytes` from the socket and (once bound)
   * from the user. All or nothing: false, and nothing is taken, when any budget is short.
   */
  charge(bytes: number): boolean;
  /** The socket closed. */
  release(): void;
}

/**
 * The inbound budgets of the WebSocket gateway: per socket a frame budget and a byte budget, and per
 * user a byte budget shared by all of the user's sockets on this node, so neither many small frames,
 * nor a few large ones, nor several sockets let one user crowd out everyone else. A user's bucket
 * outlives their sockets until it has refilled, so reconnecting does not reset it.
 */
export class ByteBudgets {
  readonly #opts: { frames: Rate; socket: Rate; user: Rate };
  readonly #clock: Clock;
  readonly #users = new Map<string, { bucket: TokenBucket; sockets: number }>();
  #sweptAt = 0;

  constructor(opts: { frames: Rate; socket: Rate; user: Rate }, clock: Clock) {
    this.#opts = opts;
    this.#clock = clock;
  }

  /** Users with a bucket (live, or idle and still refilling). */
  get users(): number {
    return this.#users.size;
  }

  /** The budget of a new socket. */
  open(): SocketBudget {
    const frames = new TokenBucket(this.#opts.frames, this.#clock);
    const bytes = new TokenBucket(this.#opts.socket, this.#clock);
    let user: { bucket: TokenBucket; sockets: number } | undefined;
    return {
      bindUser: (userId) => {
        if (user) return;
        this.#sweep();
        user = this.#users.get(userId);
        if (!user) {
          user = { bucket: new TokenBucket(this.#opts.user, this.#clock), sockets: 0 };
          this.#users.set(userId, user);
        }
        user.sockets += 1;
      },
      charge: (n) => {
        // One clock read per frame, for all three buckets.
        const now = this.#clock.now();
        if (frames.available(now) < 1 || bytes.available(now) < n) return false;
        if (user && user.bucket.available(now) < n) return false;
        frames.take(1, now);
        bytes.take(n, now);
        user?.bucket.take(n, now);
        return true;
      },
      release: () => {
        if (user) user.sockets -= 1;
        user = undefined;
      },
    };
  }

  /** Forgets users without sockets whose bucket has refilled (at most once a second). */
  #sweep() {
    const now = this.#clock.now();
    if (now - this.#sweptAt < 1000) return;
    this.#sweptAt = now;
    for (const [id, u] of this.#users) if (u.sockets <= 0 && u.bucket.full()) this.#users.delete(id);
  }
}
