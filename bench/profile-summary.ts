/**
 * Self-time shares of a V8 CPU profile (`.cpuprofile`), by function and by file, so two profiles
 * (before/after) compare as shares rather than absolute times on a noisy machine.
 *
 *   npx tsx bench/profile-summary.ts file.cpuprofile [--top 40] [--match substring]
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error("usage: profile-summary.ts file.cpuprofile [--top 40] [--match s]");
const opt = (k: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const top = Number(opt("top") ?? 40);
const match = opt("match");
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** Samples taken while the profile hook itself ran (stopping the profiler) are not the workload's. */
const isHook = (id: number) => {
  for (let q: number | undefined = id; q !== undefined; q = parent.get(q)) {
    if (byId.get(q)!.callFrame.url.includes("cpu-profile-hook")) return true;
  }
  return false;
};
const self = new Map<number, number>();
for (const [i, id] of p.samples.entries()) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
for (const id of [...self.keys()]) if (isHook(id)) self.delete(id);
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/^.*node_modules\//, "nm:")
    .replace(/^\/work\/[^/]+\//, "");
const fnKey = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const fileKey = (n: Node) => {
  const u = short(n.callFrame.url);
  if (!u) return n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "(native)";
  return u.startsWith("nm:")
    ? u
        .split("/")
        .slice(0, u.startsWith("nm:@") ? 2 : 1)
        .join("/")
    : u;
};
const sum = (key: (n: Node) => string) => {
  const m = new Map<string, number>();
  for (const [id, t] of self) {
    const k = key(byId.get(id)!);
    m.set(k, (m.get(k) ?? 0) + t);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
};
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nself time by file/package:`);
for (const [k, t] of sum(fileKey).slice(0, top)) console.log(`${pct(t)}  ${k}`);
// Where the time goes, in a few groups that compare across checkouts (file names moved in issue 9).
const groups: [string, (fn: string, url: string) => boolean][] = [
  ["idle", (fn) => fn === "(idle)"],
  ["garbage collection", (fn) => fn === "(garbage collector)"],
  [
    "socket writes (writev, streams, ws sender)",
    (fn, url) =>
      fn === "writev" ||
      fn === "writeUtf8String" ||
      fn === "writeBuffer" ||
      /stream_base_commons|streams\/writable|node:net|ws\/lib\/sender/.test(url),
  ],
  [
    "SQLite statements (native run/all; SQLite's own syncs inside)",
    (fn, url) => !url && (fn === "run" || fn === "all" || fn === "exec"),
  ],
  // The WAL's fdatasync after a batch of messages, run on the spot (storage/sqlite/wal-sync.ts).
  ["WAL sync (fdatasync on the event loop)", (fn, url) => !url && fn === "fdatasync"],
  ["Kysely", (_fn, url) => url.includes("node_modules/kysely")],
  [
    "frame parsing (zod, protocol parse)",
    (_fn, url) => url.includes("node_modules/zod") || url.includes("protocol/src/parse"),
  ],
  ["server JS (packages/server)", (_fn, url) => url.includes("packages/server/src")],
  ["SDK JS (packages/client)", (_fn, url) => url.includes("packages/client/src")],
  ["ws receive", (_fn, url) => /ws\/lib\/(receiver|websocket|buffer-util|event-target)/.test(url)],
];
const grouped = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const g = groups.find(([, f]) => f(n.callFrame.functionName, n.callFrame.url))?.[0] ?? "other";
  grouped.set(g, (grouped.get(g) ?? 0) + t);
}
console.log("\nself time by group:");
for (const [k, t] of [...grouped].sort((a, b) => b[1] - a[1])) console.log(`${pct(t)}  ${k}`);
console.log("\nself time by function:");
for (const [k, t] of sum(fnKey)
  .filter(([k]) => !match || k.includes(match))
  .slice(0, top))
  console.log(`${pct(t)}  ${k}`);

// --callers name: where the self time of functions named `name` comes from (two frames up).
const callers = opt("callers");
if (callers) {
  const m = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName !== callers) continue;
    const up: string[] = [];
    for (let q = parent.get(id), k = 0; q !== undefined && k < 3; q = parent.get(q), k++)
      up.push(fnKey(byId.get(q)!));
    const key = up.join("  <  ");
    m.set(key, (m.get(key) ?? 0) + t);
  }
  console.log(`\ncallers of ${callers}:`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
}
// --inclusive substring: total time (self + callees) under functions whose key contains it.
const inc = opt("inclusive");
if (inc) {
  const m = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let q: number | undefined = id; q !== undefined; q = parent.get(q)) {
      const k = fnKey(byId.get(q)!);
      if (!k.includes(inc) || seen.has(k)) continue;
      seen.add(k);
      m.set(k, (m.get(k) ?? 0) + t);
    }
  }
  console.log(`\ninclusive time of functions matching ${inc}:`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
}
