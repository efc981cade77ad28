import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type BuildServerInput, buildServer, type HearthServer } from "../build-server.ts";
import { createLogger } from "../logger.ts";
import { openSqliteStorage } from "../storage/sqlite/sqlite-storage.ts";

/** argon2id at its cheapest: tests create many accounts; production keeps the OWASP minimum. */
export const FAST_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** A real server on an ephemeral port, over a real SQLite file in a temp dir, with its log captured. */
export interface TestServer {
  server: HearthServer;
  url: string;
  wsUrl: string;
  dataDir: string;
  dbPath: string;
  /** Everything the server logged so far. */
  logs(): string;
  /** HTTP JSON call; returns status and parsed body. */
  call<T = unknown>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; raw?: string },
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** What a test server is started with beyond the server's own options. */
export interface TestServerOptions {
  /** Encrypt the SQLite database's names, logins and emails at rest with this 32-byte key. */
  atRestKey?: Uint8Array;
}

/** Starts a server for a test. */
export async function startTestServer(
  overrides: Partial<BuildServerInput> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "hearth-test-"));
  const dbPath = join(dataDir, "hearth.db");
  const storage =
    overrides.storage ??
    (await openSqliteStorage({
      path: dbPath,
      ...(options.atRestKey ? { atRestKey: options.atRestKey } : {}),
    }));
  const sink = new PassThrough();
  const chunks: string[] = [];
  sink.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  const logger = createLogger({ level: "debug", stream: sink });
  const server = await buildServer({
    argon2: FAST_ARGON2,
    authRateLimitPerMinute: 10_000,
    blobDir: join(dataDir, "blobs"),
    ...overrides,
    storage,
    logger,
  });
  const url = await server.listen(0, "127.0.0.1");
  const call: TestServer["call"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
  return {
    server,
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/v1/ws`,
    dataDir,
    dbPath,
    logs: () => chunks.join(""),
    call,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
