import { describe, expect, it } from "vitest";
import { Batcher } from "../src/batcher.ts";

const turn = () => new Promise((r) => setImmediate(r));

/** A promise the test resolves or rejects when it says so. */
function held() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("Batcher: group commit, pipelined with a settle step", () => {
  it("flushes requests of one turn together, and answers each caller with its own result", async () => {
    const flushed: number[][] = [];
    const b = new Batcher<number, number>(async (reqs) => {
      flushed.push(reqs);
      return reqs.map((r) => r * 10);
    });
    const results = await Promise.all([b.submit(1), b.submit(2), b.submit(3)]);
    expect(results).toEqual([10, 20, 30]);
    expect(flushed).toEqual([[1, 2, 3]]);
  });

  it("commits the next batch while the previous settles, and answers batches in their order", async () => {
    const flushed: string[][] = [];
    const settles: ReturnType<typeof held>[] = [];
    const b = new Batcher<string, string>(
      async (reqs) => {
        flushed.push(reqs);
        return reqs.map((r) => `${r}!`);
      },
      {
        settle: () => {
          const h = held();
          // Settles resolve in the order they were called (as WAL syncs do).
          const previous = settles.at(-1)?.promise ?? Promise.resolve();
          settles.push(h);
          return previous.then(() => h.promise);
        },
      },
    );
    const answered: string[] = [];
    const a = b.submit("a").then((r) => answered.push(r));
    await turn();
    await turn();
    expect(flushed).toEqual([["a"]]);
    // `a` is committed but not settled: nobody hears of it yet, and the next batch may commit.
    expect(answered).toEqual([]);
    const c = b.submit("b").then((r) => answered.push(r));
    await turn();
    await turn();
    expect(flushed).toEqual([["a"], ["b"]]);
    expect(answered).toEqual([]);
    settles[1]!.resolve(); // the later settle finishing first changes nothing: order is kept
    await turn();
    expect(answered).toEqual([]);
    settles[0]!.resolve();
    await Promise.all([a, c]);
    expect(answered).toEqual(["a!", "b!"]);
  });

  it("rejects a batch whose settle fails, and drain() waits for settling batches", async () => {
    const h = held();
    const b = new Batcher<number, number>(async (reqs) => reqs, { settle: () => h.promise });
    const r = b.submit(7);
    let drained = false;
    const d = b.drain().then(() => (drained = true));
    await turn();
    await turn();
    expect(drained).toBe(false);
    h.reject(new Error("EIO: fdatasync"));
    await expect(r).rejects.toThrow(/EIO/);
    await d;
    expect(drained).toBe(true);
  });

  it("rejects every caller of a batch whose flush throws, and keeps serving the next one", async () => {
    let fail = true;
    const b = new Batcher<number, number>(async (reqs) => {
      if (fail) throw new Error("SQLITE_BUSY");
      return reqs;
    });
    const [x, y] = [b.submit(1), b.submit(2)];
    await expect(x).rejects.toThrow(/SQLITE_BUSY/);
    await expect(y).rejects.toThrow(/SQLITE_BUSY/);
    fail = false;
    await expect(b.submit(3)).resolves.toBe(3);
  });
});
