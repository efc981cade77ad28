import { HearthApiError } from "./hearth-api-error.ts";

/**
 * The end of one HTTP call: a timeout that any sign of progress restarts, and the caller's
 * `AbortSignal`, merged into the one `signal` given to `fetch`. Whatever the call throws goes through
 * {@link CallDeadline.failure}, which says why in the SDK's codes. (`AbortSignal.any` would merge the
 * signals too, but Safari before 17.4 lacks it.)
 */
export class CallDeadline {
  /** The signal for `fetch` and the body reads: aborted on timeout or by the caller. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  readonly #onCallerAbort = () => this.#controller.abort();

  /** `timeoutMs` that is not a positive finite number means no timeout. */
  constructor(timeoutMs: number, caller: AbortSignal | undefined) {
    this.signal = this.#controller.signal;
    this.#timeoutMs = timeoutMs;
    this.#caller = caller;
    if (caller?.aborted) this.#controller.abort();
    else caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
    this.touch();
  }

  /** Restarts the timeout: the call made progress (an answer arrived, a chunk went out or came in). */
  touch(extraMs = 0): void {
    clearTimeout(this.#timer);
    const ms = this.#timeoutMs + extraMs;
    if (!(Number.isFinite(ms) && ms > 0) || this.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort();
    }, ms);
  }

  /** The coded error for what a call threw: its own error, `aborted`, or `network_error`. */
  failure(err: unknown): HearthApiError {
    if (this.#caller?.aborted) return new HearthApiError("aborted", 0, "The call was cancelled.");
    if (err instanceof HearthApiError) return err;
    if (this.#timedOut) return new HearthApiError("network_error", 0, "The server did not answer in time.");
    return new HearthApiError("network_error", 0, "The server could not be reached.");
  }

  /** Stops the timer and lets go of the caller's signal. */
  done(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
  }
}
