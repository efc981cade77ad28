/**
 * Group commit: requests that arrive while a flush is running (or within the same event-loop turn)
 * are flushed together in one call — one transaction, one fsync — and each caller gets its own result.
 * Only one flush runs at a time, so under load batches grow and per-request cost falls.
 */
export class Batcher<Req, Res> {
  readonly #flush: (reqs: Req[]) => Promise<Res[]>;
  readonly #maxBatch: number;
  #pending: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  #running: Promise<void> | null = null;
  #scheduled = false;

  constructor(flush: (reqs: Req[]) => Promise<Res[]>, maxBatch = 512) {
    this.#flush = flush;
    this.#maxBatch = maxBatch;
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
    this.#running = (async () => {
      try {
        const results = await this.#flush(batch.map((b) => b.req));
        for (const [i, b] of batch.entries()) b.resolve(results[i] as Res);
      } catch (err) {
        for (const b of batch) b.reject(err);
      } finally {
        this.#running = null;
        if (this.#pending.length > 0) this.#schedule();
      }
    })();
  }
}
