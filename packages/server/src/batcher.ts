/**
 * Group commit: requests that arrive while a flush is running (or within the same event-loop turn)
 * are flushed together in one call — one transaction, one fsync — and each caller gets its own result.
 * Only one flush runs at a time, so under load batches grow and per-request cost falls.
 */
export class Batcher<Req, Res> {
  readonly #flush: (reqs: Req[]) => Promise<Res[]>;
  readonly #settle: (() => Promise<void>) | undefined;
  readonly #maxBatch: number;
  #pending: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  #running: Promise<void> | null = null;
  /** The newest batch's settling (batches settle in order: when it has, all have). */
  #lastSettle: Promise<unknown> = Promise.resolve();
  #scheduled = false;

  /**
   * `settle` (optional) pipelines the batches: a batch's callers hear of it only once its flush
   * returned and `settle` then resolved (the WAL synced after its commit), but the next flush starts
   * as soon as this one returned, while the previous batch settles. Batches settle in their order
   * (`settle` must resolve in the order it was called).
   */
  constructor(
    flush: (reqs: Req[]) => Promise<Res[]>,
    options: { maxBatch?: number; settle?: () => Promise<void> } = {},
  ) {
    this.#flush = flush;
    this.#settle = options.settle;
    this.#maxBatch = options.maxBatch ?? 512;
  }

  /** Queues one request; resolves with its result once its batch has committed. */
  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.#pending.push({ req, resolve, reject });
      this.#schedule();
    });
  }

  /** Requests waiting for the next flush. */
  get waiting(): number {
    return this.#pending.length;
  }

  /** Resolves when everything queued so far has been flushed. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#running) {
      if (this.#running) await this.#running;
      else await new Promise((r) => setImmediate(r));
    }
    await this.#lastSettle;
  }

  #schedule() {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  #run() {
    if (this.#running || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#maxBatch);
    let settling: Promise<void> | undefined;
    this.#running = (async () => {
      let results: Res[];
      try {
        results = await this.#flush(batch.map((b) => b.req));
        settling = this.#settle?.();
        if (settling) this.#lastSettle = settling.catch(() => {});
      } catch (err) {
        for (const b of batch) b.reject(err);
        return;
      } finally {
        this.#running = null;
        if (this.#pending.length > 0) this.#schedule();
      }
      const deliver = () => {
        for (const [i, b] of batch.entries()) b.resolve(results[i] as Res);
      };
      if (!settling) return deliver();
      settling.then(deliver, (err: unknown) => {
        for (const b of batch) b.reject(err);
      });
    })();
  }
}
