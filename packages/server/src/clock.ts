/** An opaque timer handle (an object in Node, a number in a manual clock). */
export type TimerHandle = unknown;

/**
 * Time as the server sees it: the wall clock and one-shot timers. `buildServer({ clock })` takes
 * one, so tests can drive lockouts, throttles, budgets and timeouts by hand instead of sleeping
 * (the same shape as the SDK's clock, so `ManualClock` from `@hearth/client/testing` fits).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setTimeout}; `undefined` is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The platform clock: `Date.now` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
