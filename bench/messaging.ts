/**
 * Messaging benchmark (`npm run bench`): N conversations, therapist and patient each on their own
 * socket, through the real SDK and the real server (its own process, SQLite with synchronous=FULL,
 * every message durably stored before it is acked). The same workload runs against a bare `ws` relay
 * with no persistence, started here too. Everything is on loopback and stops by itself.
 *
 *   npm run bench -- [--sizes 10,100,1000] [--seconds 10] [--rate-per-conversation 2] [--window 8] [--e2ee]
 *
 * `--e2ee`: the clients encrypt end to end (MLS + archive copies, in-memory key stores); each pair's
 * group is formed before the clock starts. Everything else is the same.
 *
 * Two phases per size and system:
 *  - paced: each conversation offers `rate` messages/s (2,000 msg/s at N=1000); send-to-deliver
 *    latency is measured from `send()` to the other side's `message` event.
 *  - saturated: each conversation keeps `window` messages in flight; delivered messages/s is the
 *    throughput. Hearth/relay is the ratio of the two throughputs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type * as HearthSdk from "@hearth/client";
import WebSocket from "ws";
import { signUpPairs } from "./harness.ts";
import { cpuMicros, machine, percentile, rssMiB, table } from "./stats.ts";

const E2EE = process.argv.includes("--e2ee");
const argv = process.argv.filter((a) => a !== "--e2ee");
const args = new Map<string, string>();
for (let i = 2; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ""), argv[i + 1] ?? "");
const SIZES = (args.get("sizes") ?? "10,100,1000").split(",").map(Number);
const SECONDS = Number(args.get("seconds") ?? 10);
const RATE = Number(args.get("rate-per-conversation") ?? 2);
const WINDOW = Number(args.get("window") ?? 8);
const PHASES = (args.get("phases") ?? "paced,saturated").split(",") as ("paced" | "saturated")[];
const SYSTEMS = (args.get("systems") ?? "hearth,relay").split(",");
// BENCH_CLIENT / BENCH_SERVER: another checkout's SDK entry point and server script (e.g. to profile
// a baseline against the same driver); by default this checkout's.
const { HearthClient, MemoryKeyStore, State, unencryptedCodecForTests } = (await import(
  process.env.BENCH_CLIENT ?? "@hearth/client"
)) as typeof HearthSdk;
type WebSocketConstructor = HearthSdk.WebSocketConstructor;
// BENCH_CPU_PROF=dir BENCH_CPU_PROF_PHASE=saturated: V8 CPU profiles of that phase only, of the
// server (through bench/cpu-profile-hook.ts) and of this load generator, written into dir.
const PROF_DIR = process.env.BENCH_CPU_PROF;
const PROF_PHASE = process.env.BENCH_CPU_PROF_PHASE;
// BENCH_PAUSES=paced: the server prints that phase's event-loop delay and GC pauses (bench/pause-hook.ts).
const PAUSE_PHASE = process.env.BENCH_PAUSES;

interface Child {
  proc: ChildProcess;
  info: Record<string, string>;
}

async function startChild(script: string): Promise<Child> {
  // BENCH_CPU_PROF=dir: the server writes a V8 CPU profile there (open it in Chrome DevTools); with
  // BENCH_CPU_PROF_PHASE, of that phase only.
  const prof = !PROF_DIR
    ? []
    : PROF_PHASE
      ? ["--import", new URL("./cpu-profile-hook.ts", import.meta.url).pathname]
      : ["--cpu-prof", "--cpu-prof-dir", PROF_DIR];
  const pauses = PAUSE_PHASE
    ? ["--expose-gc", "--import", new URL("./pause-hook.ts", import.meta.url).pathname]
    : [];
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      ...prof,
      ...pauses,
      script.startsWith("/") ? script : new URL(script, import.meta.url).pathname,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const rl = createInterface({ input: proc.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { proc, info: JSON.parse(line) as Record<string, string> };
}

async function stopChild(c: Child) {
  if (c.proc.exitCode !== null) return;
  const done = new Promise((r) => c.proc.once("exit", r));
  c.proc.kill("SIGTERM");
  await done;
}

/** Peak RSS of a process, sampled every 250 ms until `stop()`. */
function rssSampler(pid: number) {
  let peak = 0;
  const timer = setInterval(() => {
    rssMiB(pid)
      .then((v) => {
        peak = Math.max(peak, v);
      })
      .catch(() => undefined);
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      peak = Math.max(peak, await rssMiB(pid).catch(() => 0));
      return peak;
    },
  };
}

/** Profiles one phase of the server (SIGUSR2 to its hook) and of this process, when asked to. */
async function profiled<T>(child: Child, phase: string, system: string, run: () => Promise<T>): Promise<T> {
  if (PAUSE_PHASE === phase && !(PROF_DIR && PROF_PHASE === phase)) {
    child.proc.kill("SIGUSR2");
    try {
      return await run();
    } finally {
      child.proc.kill("SIGUSR2");
    }
  }
  if (!PROF_DIR || PROF_PHASE !== phase) return run();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (err, r) => (err ? reject(err) : resolve(r))),
    );
  await post("Profiler.enable");
  await post("Profiler.start");
  child.proc.kill("SIGUSR2");
  try {
    return await run();
  } finally {
    child.proc.kill("SIGUSR2");
    const r = (await post("Profiler.stop")) as { profile: unknown };
    writeFileSync(
      join(PROF_DIR, `client-${system}-${phase}-${process.pid}.cpuprofile`),
      JSON.stringify(r.profile),
    );
    session.disconnect();
    // Give the server's hook a moment to write its profile before the child is stopped.
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A pair of endpoints for one conversation, whatever the system. */
interface Pair {
  /** Sends message `id` from side 0 or 1. */
  send(side: 0 | 1, id: number): void;
  /** Called when side `side` receives message `id`. */
  onDeliver: (side: 0 | 1, id: number) => void;
}

interface Result {
  system: string;
  n: number;
  phase: string;
  offered: number;
  delivered: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  rss: number;
  /** CPU time per delivered message, in µs, of the server process and of this load generator. */
  serverCpu: number;
  clientCpu: number;
}

/** Runs one phase over the pairs; returns delivered count and latencies. */
async function drive(
  pairs: Pair[],
  phase: "paced" | "saturated",
): Promise<{ delivered: number; total: number; lat: number[]; offered: number; secs: number }> {
  const sentAt = new Map<number, number>();
  const lat: number[] = [];
  let nextId = 1;
  let delivered = 0;
  let offered = 0;
  const inflight = new Array<number>(pairs.length).fill(0);
  let running = true;
  const sendOne = (i: number) => {
    const id = nextId++;
    sentAt.set(id, performance.now());
    inflight[i]!++;
    offered++;
    pairs[i]!.send((id % 2) as 0 | 1, id);
  };
  for (const [i, p] of pairs.entries()) {
    p.onDeliver = (_side, id) => {
      const t0 = sentAt.get(id);
      if (t0 === undefined) return;
      sentAt.delete(id);
      lat.push(performance.now() - t0);
      delivered++;
      inflight[i]!--;
      if (phase === "saturated" && running) sendOne(i);
    };
  }
  const start = performance.now();
  let ticker: ReturnType<typeof setInterval> | undefined;
  if (phase === "paced") {
    // Every 10 ms, offer this tick's share of N × RATE msg/s, round-robin over conversations.
    let carry = 0;
    let rr = 0;
    ticker = setInterval(() => {
      carry += (pairs.length * RATE) / 100;
      while (carry >= 1) {
        sendOne(rr);
        rr = (rr + 1) % pairs.length;
        carry--;
      }
    }, 10);
  } else {
    for (let i = 0; i < pairs.length; i++) for (let w = 0; w < WINDOW; w++) sendOne(i);
  }
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  running = false;
  clearInterval(ticker);
  const secs = (performance.now() - start) / 1000;
  const counted = delivered;
  // Let what is in flight land (not counted in throughput), so the next phase starts clean.
  const drainUntil = Date.now() + 10_000;
  while (sentAt.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  return { delivered: counted, total: delivered, lat, offered, secs };
}

function summarise(
  system: string,
  n: number,
  phase: string,
  r: Awaited<ReturnType<typeof drive>>,
  rss: number,
  cpu: { server: number; client: number },
): Result {
  const sorted = [...r.lat].sort((a, b) => a - b);
  return {
    system,
    n,
    phase,
    offered: r.offered / r.secs,
    delivered: r.delivered,
    throughput: r.delivered / r.secs,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    rss,
    // The CPU of the drain after the clock stopped too, so per message of every delivered one.
    serverCpu: cpu.server / Math.max(1, r.total),
    clientCpu: cpu.client / Math.max(1, r.total),
  };
}

/**
 * CPU time used by the server and by this process during `run` (µs). Less sensitive than throughput
 * to other work on a shared machine: compare per-message CPU between two checkouts there.
 */
async function cpuDuring<T>(
  pid: number,
  run: () => Promise<T>,
): Promise<[T, { server: number; client: number }]> {
  const s0 = await cpuMicros(pid).catch(() => Number.NaN);
  const c0 = process.cpuUsage();
  const r = await run();
  const c = process.cpuUsage(c0);
  const s1 = await cpuMicros(pid).catch(() => Number.NaN);
  return [r, { server: s1 - s0, client: c.user + c.system }];
}

async function benchHearth(n: number): Promise<Result[]> {
  const child = await startChild(process.env.BENCH_SERVER ?? "./hearth-server.ts");
  const url = child.info.url!;
  const signedUp = await signUpPairs(url, child.info.setupToken!, n);
  const clients: HearthSdk.HearthClient[] = [];
  const pairs: Pair[] = signedUp.map(({ conversationId: cid, tokens }) => {
    const sides = tokens.map(
      (token) =>
        new HearthClient({
          baseUrl: url,
          token,
          WebSocket: WebSocket as unknown as WebSocketConstructor,
          backoff: { minMs: 100, maxMs: 2000 },
          maxInFlightPerConversation: WINDOW,
          ...(E2EE
            ? { encryption: { keyStore: new MemoryKeyStore() } }
            : { codec: unencryptedCodecForTests }),
        }),
    ) as [HearthSdk.HearthClient, HearthSdk.HearthClient];
    clients.push(...sides);
    const pair: Pair = {
      send: (side, id) => {
        void sides[side].send(cid, { text: String(id) });
      },
      onDeliver: () => undefined,
    };
    for (const side of [0, 1] as const) {
      sides[side].on("message", (m) => {
        if (!m.own && m.content) pair.onDeliver(side, Number(m.content.text));
      });
    }
    return pair;
  });
  if (E2EE) for (const c of clients) await c.crypto.setUp();
  for (const c of clients) c.connect();
  const deadline = Date.now() + 60_000 + (E2EE ? n * 2_000 : 0);
  while (clients.some((c) => c.state !== State.Connected)) {
    if (Date.now() > deadline) throw new Error("clients did not connect");
    await new Promise((r) => setTimeout(r, 20));
  }
  if (E2EE) {
    // Every pair's MLS group holds both devices before the clock starts.
    for (const [i, { conversationId: cid }] of signedUp.entries()) {
      for (;;) {
        const sizes = await Promise.all(
          [clients[2 * i]!, clients[2 * i + 1]!].map(async (c) => (await c.crypto.members(cid)).length),
        );
        if (sizes.every((k) => k === 2)) break;
        if (Date.now() > deadline) throw new Error("groups did not form");
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  const out: Result[] = [];
  for (const phase of PHASES) {
    const rss = rssSampler(child.proc.pid!);
    const [r, cpu] = await cpuDuring(child.proc.pid!, () =>
      profiled(child, phase, "hearth", () => drive(pairs, phase)),
    );
    out.push(summarise(E2EE ? "Hearth e2ee" : "Hearth", n, phase, r, await rss.stop(), cpu));
  }
  for (const c of clients) c.close();
  await stopChild(child);
  return out;
}

async function benchRelay(n: number): Promise<Result[]> {
  const child = await startChild("./relay-server.ts");
  const url = child.info.url!;
  const sockets: WebSocket[] = [];
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const sides = [new WebSocket(url), new WebSocket(url)] as const;
    sockets.push(...sides);
    await Promise.all(sides.map((s) => new Promise((r) => s.once("open", r))));
    for (const s of sides) s.send(`room-${i}`);
    const pair: Pair = {
      send: (side, id) => sides[side].send(JSON.stringify({ id })),
      onDeliver: () => undefined,
    };
    for (const side of [0, 1] as const) {
      sides[side].on("message", (d) => pair.onDeliver(side, (JSON.parse(d.toString()) as { id: number }).id));
    }
    pairs.push(pair);
  }
  const out: Result[] = [];
  for (const phase of PHASES) {
    const rss = rssSampler(child.proc.pid!);
    const [r, cpu] = await cpuDuring(child.proc.pid!, () => drive(pairs, phase));
    out.push(summarise("relay", n, phase, r, await rss.stop(), cpu));
  }
  for (const s of sockets) s.close();
  await stopChild(child);
  return out;
}

const results: Result[] = [];
for (const n of SIZES) {
  if (SYSTEMS.includes("hearth")) {
    process.stderr.write(`N=${n}: Hearth…\n`);
    results.push(...(await benchHearth(n)));
  }
  if (SYSTEMS.includes("relay")) {
    process.stderr.write(`N=${n}: relay…\n`);
    results.push(...(await benchRelay(n)));
  }
}

const rows = results.map((r) => [
  r.system,
  r.n,
  r.phase,
  Math.round(r.offered),
  Math.round(r.throughput),
  r.p50,
  r.p99,
  r.max,
  r.rss,
  r.serverCpu,
  r.clientCpu,
]);
// Both systems' saturated rows at a size, or none (`--systems` may have left one out).
const ratios = SIZES.flatMap((n) => {
  const h = results.find((r) => r.system.startsWith("Hearth") && r.n === n && r.phase === "saturated");
  const b = results.find((r) => r.system === "relay" && r.n === n && r.phase === "saturated");
  if (!h || !b || b.throughput <= 0) return [];
  return [[n, Math.round(h.throughput), Math.round(b.throughput), (h.throughput / b.throughput).toFixed(2)]];
});
console.log(
  `\nMachine: ${machine()}; load generator on the same machine; ${SECONDS} s per phase${E2EE ? "; end-to-end encrypted" : ""}.\n`,
);
console.log(
  table(
    [
      "system",
      "N",
      "phase",
      "offered msg/s",
      "delivered msg/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "server RSS MiB",
      "server CPU µs/msg",
      "client CPU µs/msg",
    ],
    rows,
  ),
);
if (ratios.length > 0)
  console.log(
    `\n${table(["N", "Hearth msg/s (saturated)", "relay msg/s (saturated)", "Hearth/relay"], ratios)}`,
  );
process.exit(0);
