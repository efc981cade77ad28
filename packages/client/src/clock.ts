/** An opaque timer handle (a number in browsers, an object in Node). */
export type TimerHandle = unknown;

/**
 * Time as the SDK sees it: the wall clock and one-shot timers. Passed in through options so tests
 * can drive time by hand (see `ManualClock` in `@hearth/client/testing`); defaults to the platform's.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setTimeout}; `undefined` is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The platform clock: `Date.now` and the global timers (browsers and Node alike). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
