/**
 * Preloaded into a server process by bench/idle.ts (`--expose-gc --import bench/memory-hook.ts`):
 * each SIGUSR2 runs full garbage collections and prints one line to stdout,
 * `{"memory":{rss,heapUsed,heapTotal,external,arrayBuffers}}` in bytes. It touches no server code.
 */
process.on("SIGUSR2", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass may only queue weak callbacks and finalizers that the second collects.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const memory = {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
  process.stdout.write(`${JSON.stringify({ memory, gc: gc !== undefined })}\n`);
});
