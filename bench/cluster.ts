/**
 * Cluster benchmark (`npm run bench:cluster`): the same message load against
 *  - a 3-node cluster: three server processes on one PostgreSQL schema, fanning out through Redis
 *    (bus and rate-limit counters under a key prefix of this run), the two members of every
 *    conversation on different nodes, so every delivery crosses Redis;
 *  - a single node on PostgreSQL (in-process bus);
 *  - a single node on the embedded SQLite store (WAL, synchronous=FULL).
 * Every server is bench/hearth-server.ts in its own process (argon2 cost lowered for the sign-ups).
 *
 *   npm run bench:cluster -- [--conversations 5000] [--seconds 10] [--rate 0.2] [--window 2]
 *     [--systems cluster,postgres,sqlite] [--phases paced,saturated]
 *
 * - paced: each conversation offers `rate` messages/s (1,000 msg/s at 5,000 conversations);
 * - saturated: each conversation keeps `window` messages in flight: the sustained durable rate.
 * A message is durable when the server acked it to its sender (stored, so never lost) and the other
 * member received it; latency is send → deliver. Per node: peak RSS and CPU (% of one core) during
 * the phase.
 *
 * The load generator speaks raw frames (`ws` and @hearth/protocol's frames), not the SDK: 10,000 SDK
 * clients (each with its outbox, per-conversation lanes, frame validation and view models) in one
 * process on this 2-core machine would measure the SDK, and starve the servers, more than the cluster.
 * bench/messaging.ts covers the SDK end to end.
 *
 * PostgreSQL: a fresh schema per run in HEARTH_BENCH_POSTGRES_URL (default the `postgres` database
 * at 127.0.0.1:5432, user postgres), dropped afterwards. Redis: HEARTH_BENCH_REDIS_URL (default
 * 127.0.0.1:6379); the rate-limit keys expire by themselves within a minute, pub/sub leaves none.
 * Everything is on loopback and stops by itself.
 */
import { randomBytes } from "node:crypto";
import { dropSchema } from "@hearth/server/testing";
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
import { type Conversation, type LoadResult, runLoad } from "./load.ts";
import { cpuMicros, machine, rssMiB, table } from "./stats.ts";

const args = flags();
const CONVERSATIONS = Number(args.get("conversations") ?? 5_000);
const SECONDS = Number(args.get("seconds") ?? 10);
const RATE = Number(args.get("rate") ?? 0.2);
const WINDOW = Number(args.get("window") ?? 2);
const SYSTEMS = (args.get("systems") ?? "cluster,postgres,sqlite").split(",");
const PHASES = (args.get("phases") ?? "paced,saturated").split(",") as ("paced" | "saturated")[];
const CONCURRENCY = Number(args.get("concurrency") ?? 200);
const PG_URL = process.env.HEARTH_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.HEARTH_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Schemas of this run not yet dropped: a Ctrl-C (which stops the servers too) drops them. */
const liveSchemas = new Set<string>();
const liveChildren = new Set<Child>();
const exited = (c: Child) =>
  c.proc.exitCode !== null || c.proc.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.proc.once("exit", () => r()));
const interrupted = () => {
  process.stderr.write("interrupted: stopping the servers, dropping this run's schemas…\n");
  // A Ctrl-C reaches the servers too; `npm run` may pass a SIGTERM to this process alone: either
  // way, stop them, and once they have closed their pools the schemas can go.
  for (const c of liveChildren) c.proc.kill("SIGTERM");
  void Promise.race([Promise.all([...liveChildren].map(exited)), sleep(10_000)])
    .then(() =>
      Promise.all(
        [...liveSchemas].map((s) =>
          dropSchema(s, PG_URL).catch((e) => process.stderr.write(`drop schema: ${e}\n`)),
        ),
      ),
    )
    .finally(() => process.exit(130));
};
process.once("SIGINT", interrupted);
process.once("SIGTERM", interrupted);

interface Row {
  system: string;
  phase: string;
  r: LoadResult;
  rss: number[];
  cpu: number[];
  clientCpu: number;
}

/** Peak RSS (MiB) and CPU (% of one core) of each process during `run`. */
async function watched<T>(pids: number[], run: () => Promise<T>): Promise<[T, number[], number[], number]> {
  const peak = pids.map(() => 0);
  const sample = () =>
    Promise.all(
      pids.map((pid, i) =>
        rssMiB(pid)
          .then((v) => {
            peak[i] = Math.max(peak[i]!, v);
          })
          .catch(() => undefined),
      ),
    );
  const timer = setInterval(() => void sample(), 250);
  const cpu0 = await Promise.all(pids.map((p) => cpuMicros(p).catch(() => Number.NaN)));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const r = await run();
    const wall = (performance.now() - t0) * 1000;
    const c = process.cpuUsage(c0);
    const cpu1 = await Promise.all(pids.map((p) => cpuMicros(p).catch(() => Number.NaN)));
    await sample();
    return [r, peak, cpu1.map((v, i) => (100 * (v - cpu0[i]!)) / wall), (100 * (c.user + c.system)) / wall];
  } finally {
    clearInterval(timer);
  }
}

async function benchSystem(system: string): Promise<Row[]> {
  const nodes = system === "cluster" ? 3 : 1;
  const tag = randomBytes(6).toString("hex");
  const schema = `hearth_bench_${tag}`;
  const env: Record<string, string> =
    system === "sqlite" ? {} : { BENCH_POSTGRES_URL: PG_URL, BENCH_POSTGRES_SCHEMA: schema };
  if (system === "cluster")
    Object.assign(env, { BENCH_REDIS_URL: REDIS_URL, BENCH_REDIS_PREFIX: `hearth-bench-${tag}:` });
  if (system !== "sqlite") liveSchemas.add(schema);
  const children: Child[] = [];
  const clients: RawClient[] = [];
  try {
    // The first node migrates the schema and prints the setup token; the others join it.
    children.push(await startServer(env));
    for (let n = 1; n < nodes; n++) children.push(await startServer({ ...env, BENCH_SETUP: "0" }));
    for (const c of children) liveChildren.add(c);
    process.stderr.write(`${system}: signing up ${CONVERSATIONS} pairs…\n`);
    const pairs = await signUpPairs(children[0]!.info.url, children[0]!.info.setupToken!, CONVERSATIONS);
    process.stderr.write(`${system}: opening ${2 * CONVERSATIONS} sockets…\n`);
    const urls = children.map((c) => wsUrlOf(c.info.url));
    const convs = new Array<Conversation>(CONVERSATIONS);
    // Socket k goes to node k mod nodes: with 3 nodes the two members (2i, 2i+1) never share one.
    await pool(CONVERSATIONS, Math.max(1, CONCURRENCY / 2), async (i) => {
      const sides = (await Promise.all(
        [0, 1].map((s) => connectRaw(urls[(2 * i + s) % nodes]!, pairs[i]!.tokens[s]!)),
      )) as [RawClient, RawClient];
      clients.push(...sides);
      convs[i] = { conversationId: pairs[i]!.conversationId, sides };
    });
    const rows: Row[] = [];
    for (const phase of PHASES) {
      process.stderr.write(`${system}: ${phase}…\n`);
      const [r, rss, cpu, clientCpu] = await watched(
        children.map((c) => c.proc.pid!),
        () => runLoad(convs, phase, { seconds: SECONDS, rate: RATE, window: WINDOW }),
      );
      rows.push({ system, phase, r, rss, cpu, clientCpu });
    }
    return rows;
  } finally {
    await closeAll(clients);
    await Promise.all(children.map(stopServer));
    for (const c of children) liveChildren.delete(c);
    if (system !== "sqlite") {
      await dropSchema(schema, PG_URL).catch((e) => process.stderr.write(`drop schema: ${e}\n`));
      liveSchemas.delete(schema);
    }
  }
}

const rows: Row[] = [];
for (const system of SYSTEMS) rows.push(...(await benchSystem(system)));

const label = (s: string) =>
  s === "cluster"
    ? "3 nodes, PostgreSQL + Redis"
    : s === "postgres"
      ? "1 node, PostgreSQL"
      : "1 node, SQLite";
const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(" / ");
console.log(
  `\nMachine: ${machine()}; servers and load generator (raw frames) on the same machine; ${CONVERSATIONS} conversations (${2 * CONVERSATIONS} sockets); ${SECONDS} s per phase; paced ${RATE} msg/s per conversation, saturated ${WINDOW} in flight per conversation.\n`,
);
console.log(
  table(
    [
      "system",
      "phase",
      "offered msg/s",
      "durable msg/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "ack p99 ms",
      "RSS MiB per node",
      "CPU % per node",
      "load gen CPU %",
      "refused / unsettled",
    ],
    rows.map(({ system, phase, r, rss, cpu, clientCpu }) => [
      label(system),
      phase,
      Math.round(r.offered / r.secs),
      Math.round(r.durable / r.secs),
      r.p50,
      r.p99,
      r.max,
      r.ackP99,
      list(rss),
      list(cpu),
      Math.round(clientCpu),
      `${[...r.errors].map(([k, v]) => `${k} ${v}`).join(", ") || 0} / ${r.lost}`,
    ]),
  ),
);
process.exit(0);
