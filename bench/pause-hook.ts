/**
 * Preloaded into the server process by bench/messaging.ts when `BENCH_PAUSES=<phase>` is set: the
 * first SIGUSR2 starts watching, the second prints one line to stderr with where that phase's
 * latency tail can come from — event-loop delay (p50/p99/max) and garbage-collection pauses by kind
 * (count, total, longest). It touches no server code, so an older checkout's server is watched alike.
 */
import { monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

const kinds: Record<number, string> = { 1: "scavenge", 2: "mark-compact", 4: "incremental", 8: "weak-cb" };
let loop: ReturnType<typeof monitorEventLoopDelay> | undefined;
let gc = new Map<string, { n: number; total: number; max: number }>();
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = kinds[e.detail?.kind ?? 0] ?? String(e.detail?.kind);
    const s = gc.get(kind) ?? { n: 0, total: 0, max: 0 };
    s.n++;
    s.total += e.duration;
    s.max = Math.max(s.max, e.duration);
    gc.set(kind, s);
  }
});

/** The heap that survives a full collection (needs --expose-gc, which bench/messaging.ts passes). */
function liveHeap(): number | undefined {
  const gcNow = (globalThis as { gc?: () => void }).gc;
  if (!gcNow) return undefined;
  gcNow();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

process.on("SIGUSR2", () => {
  if (!loop) {
    gc = new Map();
    loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    observer.observe({ entryTypes: ["gc"] });
    return;
  }
  loop.disable();
  observer.disconnect();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const out = {
    loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
    gc: Object.fromEntries(
      [...gc].map(([k, s]) => [
        k,
        { n: s.n, totalMs: Math.round(s.total), maxMs: Math.round(s.max * 10) / 10 },
      ]),
    ),
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    liveHeapMB: liveHeap(),
  };
  loop = undefined;
  process.stderr.write(`pauses ${JSON.stringify(out)}\n`);
});
