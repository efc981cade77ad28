/**
 * Idle-connection memory (`npm run bench:idle`): what one authenticated, idle WebSocket costs the
 * server. The server runs as its own process (bench/hearth-server.ts, embedded SQLite) with
 * bench/memory-hook.ts preloaded, which answers SIGUSR2 with `process.memoryUsage()` after full
 * garbage collections. The bench signs up N/2 therapist–patient pairs over HTTP, opens a few sockets
 * and closes them again (so lazily loaded code and first-use caches are in the baseline), measures,
 * opens N raw sockets (`ws` and the protocol's `hello` frame, no SDK: the load generator stays lean)
 * that each complete hello → ready → synced and then idle, waits, measures again and prints the
 * difference per connection. Everything is on loopback and stops by itself.
 *
 *   npm run bench:idle -- [--sockets 10000] [--settle 5] [--concurrency 200] [--server tsx]
 *
 * The server runs compiled as `npm start` runs it; `--server tsx` runs it through tsx instead
 * (about 1.2 KiB more heap per socket, see `compiledServer` in harness.ts).
 *
 * The client sockets live in this process and the server's in the other one, so 10,000 of each fit
 * under a file-descriptor limit of 20,000.
 */
import {
  type Child,
  closeAll,
  connectRaw,
  flags,
  pool,
  type RawClient,
  signUpPairs,
  sleep,
  startServer,
  stopServer,
  wsUrlOf,
} from "./harness.ts";
import { machine, table } from "./stats.ts";

const args = flags();
const SOCKETS = Number(args.get("sockets") ?? 10_000);
const SETTLE_S = Number(args.get("settle") ?? 5);
const CONCURRENCY = Number(args.get("concurrency") ?? 200);
const PAIRS = Math.ceil(SOCKETS / 2);
const WARM_UP = Math.min(20, SOCKETS);

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

/** Asks the server's memory hook for a reading. */
function measure(child: Child): Promise<Memory> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no memory reading (is the hook loaded?)")), 30_000);
    const listener = (line: string) => {
      if (!line.startsWith('{"memory"')) return;
      child.lines.splice(child.lines.indexOf(listener), 1);
      clearTimeout(timer);
      resolve((JSON.parse(line) as { memory: Memory }).memory);
    };
    child.lines.push(listener);
    child.proc.kill("SIGUSR2");
  });
}

// The server as `npm start` runs it (compiled, not through tsx: see `compiledServer` in harness.ts);
// `--server tsx` measures it through tsx, as the other benches run it.
const TSX = args.get("server") === "tsx";
const child = await startServer(
  {},
  ["--expose-gc", "--import", new URL("./memory-hook.ts", import.meta.url).pathname],
  { compiled: !TSX },
);
const clients: RawClient[] = [];
try {
  const url = child.info.url;
  const wsUrl = wsUrlOf(url);
  process.stderr.write(`signing up ${PAIRS} pairs…\n`);
  const pairs = await signUpPairs(url, child.info.setupToken!, PAIRS);
  const tokens = pairs.flatMap((p) => p.tokens).slice(0, SOCKETS);
  const warm = await Promise.all(tokens.slice(0, WARM_UP).map((t) => connectRaw(wsUrl, t)));
  await closeAll(warm);
  // Twice, a settle apart: RSS shrinks only some time after a collection returns pages.
  await measure(child);
  await sleep(SETTLE_S * 1000);
  const before = await measure(child);
  process.stderr.write(`opening ${SOCKETS} sockets…\n`);
  const opened = new Array<RawClient>(SOCKETS);
  await pool(SOCKETS, CONCURRENCY, async (i) => {
    opened[i] = await connectRaw(wsUrl, tokens[i]!);
  });
  clients.push(...opened);
  // Idle: nothing is sent; the server's heartbeat pings are answered by `ws` by itself.
  await sleep(SETTLE_S * 1000);
  await measure(child);
  await sleep(1000);
  const open = clients.filter((c) => c.ws.readyState === c.ws.OPEN).length;
  const after = await measure(child);
  const mib = (b: number) => b / 2 ** 20;
  const kib = (b: number) => b / 1024 / Math.max(1, open);
  console.log(
    `\nMachine: ${machine()}; load generator on the same machine; ${SETTLE_S} s idle after the last hello; server ${TSX ? "through tsx" : "compiled as for npm start"}.\n`,
  );
  console.log(
    table(
      ["sockets open", "measure", "before MiB", "after MiB", "KiB per connection"],
      [
        [open, "RSS", mib(before.rss), mib(after.rss), kib(after.rss - before.rss)],
        [
          open,
          "JS heap (used)",
          mib(before.heapUsed),
          mib(after.heapUsed),
          kib(after.heapUsed - before.heapUsed),
        ],
        [
          open,
          "external (buffers)",
          mib(before.external),
          mib(after.external),
          kib(after.external - before.external),
        ],
      ],
    ),
  );
  if (open < 2000) {
    process.stderr.write("note: below ~2,000 sockets the RSS difference is within the allocator's noise\n");
  }
  if (open < SOCKETS) process.stderr.write(`warning: only ${open} of ${SOCKETS} sockets stayed open\n`);
} finally {
  await closeAll(clients);
  await stopServer(child);
}
process.exit(0);
