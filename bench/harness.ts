/**
 * What bench/idle.ts and bench/cluster.ts share: server processes (bench/hearth-server.ts, with
 * their environment), concurrent sign-ups over HTTP, and raw protocol sockets (`ws` and the frames
 * of @hearth/protocol, no SDK) that complete the hello handshake.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { HearthApi } from "@hearth/client";
import { type ConversationId, type ServerFrame, WS_PATH, WS_SUBPROTOCOL } from "@hearth/protocol";
import WebSocket from "ws";
import { serverBuildOptions } from "../scripts/esbuild-server.mjs";

export const PASSWORD = "bench password 0123";

/** Command-line flags `--name value` into a map. */
export function flags(argv = process.argv): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 2; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ""), argv[i + 1] ?? "");
  return args;
}

export interface Child {
  proc: ChildProcess;
  info: { url: string; setupToken?: string; dir: string };
  /** Every later stdout line (after the first, the info line) goes to these listeners. */
  lines: ((line: string) => void)[];
}

/**
 * bench/hearth-server.ts compiled as `npm run build:server` compiles the server that `npm start`
 * runs (esbuild with the same options: scripts/esbuild-server.mjs).
 * Run through tsx instead, every named closure the server makes is renamed with a `defineProperty`
 * (tsx compiles with esbuild's `keepNames`), which gives each one a property array of its own:
 * about 1.2 KiB of heap per idle socket that the production build does not have (measured with heap
 * snapshots at 4,000 sockets: 8.0 KiB of heap per connection through tsx, 6.8 KiB compiled).
 */
async function compiledServer(): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = fileURLToPath(new URL("../.tmp/bench/hearth-server.mjs", import.meta.url));
  await build({
    ...serverBuildOptions,
    entryPoints: [fileURLToPath(new URL("./hearth-server.ts", import.meta.url))],
    outfile,
  });
  return outfile;
}

/**
 * Starts bench/hearth-server.ts as its own process with `env` added; resolves on its info line.
 * `compiled`: the server compiled as for `npm start` (see {@link compiledServer}) instead of through
 * tsx; tsx is still loaded, for hooks written in TypeScript among `nodeArgs`.
 */
export async function startServer(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  options: { compiled?: boolean } = {},
): Promise<Child> {
  const script = options.compiled
    ? await compiledServer()
    : new URL("./hearth-server.ts", import.meta.url).pathname;
  const proc = spawn(process.execPath, ["--import", "tsx", ...nodeArgs, script], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const rl = createInterface({ input: proc.stdout! });
  const lines: ((line: string) => void)[] = [];
  const line = await new Promise<string>((resolve, reject) => {
    rl.once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`hearth-server.ts exited with ${code}`)));
  });
  rl.on("line", (l) => {
    for (const f of lines) f(l);
  });
  return { proc, info: JSON.parse(line) as Child["info"], lines };
}

export async function stopServer(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const done = new Promise((r) => c.proc.once("exit", r));
  c.proc.kill("SIGTERM");
  const timer = setTimeout(() => c.proc.kill("SIGKILL"), 30_000);
  await done;
  clearTimeout(timer);
  // The server removes its temp dir on SIGTERM; this is the backstop if it died another way.
  rmSync(c.info.dir, { recursive: true, force: true });
}

export const wsUrlOf = (httpUrl: string) => `${httpUrl.replace(/^http/, "ws")}${WS_PATH}`;

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at once. */
export async function pool(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

/** One conversation: a therapist's and a patient's session token. */
export interface PairTokens {
  conversationId: ConversationId;
  tokens: [string, string];
}

/** Sets the practice up and signs up `n` therapist–patient pairs (one conversation each). */
export async function signUpPairs(
  url: string,
  setupToken: string,
  n: number,
  concurrency = 8,
): Promise<PairTokens[]> {
  const api = new HearthApi({ baseUrl: url });
  const admin = await api.setup({
    setupToken,
    practiceName: "Bench",
    login: "admin",
    displayName: "Admin",
    password: PASSWORD,
    deviceName: "bench",
  });
  const adminApi = new HearthApi({ baseUrl: url, token: admin.token });
  const out = new Array<PairTokens>(n);
  await pool(n, concurrency, async (i) => {
    const inv = await adminApi.createInvite("therapist");
    const t = await api.acceptInvite({
      token: inv.token,
      login: `ther${i}`,
      displayName: `T${i}`,
      password: PASSWORD,
      deviceName: "b",
    });
    const pinv = await new HearthApi({ baseUrl: url, token: t.token }).createInvite("patient");
    const p = await api.acceptInvite({
      token: pinv.token,
      login: `pat${i}`,
      displayName: `P${i}`,
      password: PASSWORD,
      deviceName: "b",
    });
    out[i] = { conversationId: p.conversationId as ConversationId, tokens: [t.token, p.token] };
  });
  return out;
}

/** A raw socket after `hello` → `ready` → `synced`; `onFrame` sees every later frame. */
export interface RawClient {
  ws: WebSocket;
  deviceId: string;
  onFrame: (f: ServerFrame) => void;
}

/** Opens a socket, says hello with no cursors and resolves once the server has sent `synced`. */
export function connectRaw(wsUrl: string, token: string, timeoutMs = 60_000): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, WS_SUBPROTOCOL);
    const client: RawClient = { ws, deviceId: "", onFrame: () => undefined };
    let synced = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("hello timed out"));
    }, timeoutMs);
    ws.once("open", () => ws.send(JSON.stringify({ type: "hello", id: 0, token, cursors: {} })));
    ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as ServerFrame;
      if (synced) return client.onFrame(f);
      if (f.type === "ready") client.deviceId = f.deviceId;
      else if (f.type === "synced") {
        synced = true;
        clearTimeout(timer);
        resolve(client);
      } else if (f.type === "error") {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`hello refused: ${JSON.stringify(f)}`));
      }
    });
    ws.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.once("close", (code) => {
      clearTimeout(timer);
      if (!synced) reject(new Error(`closed before synced: ${code}`));
    });
  });
}

/** Closes sockets and waits (briefly) for them to be closed. */
export async function closeAll(clients: RawClient[]): Promise<void> {
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            c.ws.terminate();
            resolve();
          }, 5_000);
          c.ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          c.ws.close();
        }),
    ),
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
