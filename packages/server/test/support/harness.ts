import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { Role, ServerFrame, SessionResponse } from "@hearth/protocol";
import { newId, WS_SUBPROTOCOL } from "@hearth/protocol";
import argon2 from "argon2";
import WebSocket from "ws";
import { type BuildServerInput, buildServer, type HearthServer } from "../../src/build-server.ts";
import { createLogger } from "../../src/logger.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";

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

/** Starts a server for a test. */
export async function startTestServer(overrides: Partial<BuildServerInput> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "hearth-test-"));
  const dbPath = join(dataDir, "hearth.db");
  const storage = overrides.storage ?? (await openSqliteStorage({ path: dbPath }));
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

/** A practice with an admin, one therapist and `patients` patients, each with a 1:1 with the therapist. */
export interface Practice {
  admin: SessionResponse;
  therapist: SessionResponse;
  patients: SessionResponse[];
}

let counter = 0;
const PASSWORD = "correct horse battery staple";

/** Signs up a user through a real invite. */
export async function joinByInvite(
  t: TestServer,
  inviterToken: string,
  role: Role,
  name = `${role}${++counter}`,
) {
  const inv = await t.call<{ token: string }>("POST", "/v1/invites", { token: inviterToken, body: { role } });
  if (inv.status !== 200) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const r = await t.call<SessionResponse>("POST", "/v1/invites/accept", {
    body: {
      token: inv.body.token,
      login: `${name.replace(/[^a-z0-9]/gi, "")}-${counter}-${Date.now()}`.toLowerCase(),
      displayName: name,
      password: PASSWORD,
      deviceName: "test",
    },
  });
  if (r.status !== 200) throw new Error(`accept failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** First-run setup, then a therapist and patients, all through the real HTTP API. */
export async function makePractice(t: TestServer, patients = 1): Promise<Practice> {
  const setupToken = await t.server.prepareSetup();
  if (!setupToken) throw new Error("server already set up");
  const admin = await t.call<SessionResponse>("POST", "/v1/setup", {
    body: {
      setupToken,
      practiceName: "Quiet Harbour Practice",
      login: `admin${++counter}`,
      displayName: "Admin",
      password: PASSWORD,
      deviceName: "test",
    },
  });
  if (admin.status !== 200) throw new Error(`setup failed: ${admin.status} ${JSON.stringify(admin.body)}`);
  const therapist = await joinByInvite(t, admin.body.token, "therapist", "Dr Rowan");
  const ps: SessionResponse[] = [];
  for (let i = 0; i < patients; i++) ps.push(await joinByInvite(t, therapist.token, "patient", `Robin${i}`));
  return { admin: admin.body, therapist, patients: ps };
}

/** Signs in an additional device of an existing user. */
/**
 * A therapist of a second practice on the same server, created through the auth store (setup is one-time
 * by design), signed in through the real login endpoint.
 */
export async function otherPracticeTherapist(t: TestServer, login: string): Promise<SessionResponse> {
  const store = t.server.storage.auth;
  const now = new Date().toISOString();
  const prc = newId("prc");
  await store.createPractice({ id: prc, name: "Other practice", createdAt: now });
  await store.createUser({
    id: newId("usr"),
    practiceId: prc,
    role: "therapist",
    login,
    displayName: "Elsewhere",
    email: null,
    passwordHash: await argon2.hash("correct horse battery staple", {
      type: argon2.argon2id,
      ...FAST_ARGON2,
    }),
    showPresence: true,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: now,
  });
  const r = await t.call<SessionResponse>("POST", "/v1/auth/login", {
    body: { login, password: "correct horse battery staple", deviceName: "x" },
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body;
}

export async function login(t: TestServer, loginName: string, deviceName = "second") {
  const r = await t.call<SessionResponse>("POST", "/v1/auth/login", {
    body: { login: loginName, password: PASSWORD, deviceName },
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body;
}

/** A raw protocol socket for tests that speak frames directly (bad input, authorization). */
export class RawSocket {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[] = [];
  #waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  closed: { code: number } | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as ServerFrame;
      this.frames.push(f);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    ws.on("close", (code) => {
      this.closed = { code };
    });
  }

  static async open(wsUrl: string, protocol = WS_SUBPROTOCOL): Promise<RawSocket> {
    const ws = new WebSocket(wsUrl, protocol);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new RawSocket(ws);
  }

  /** Opens and says hello; resolves after `synced`. */
  static async hello(wsUrl: string, token: string, cursors: Record<string, number> = {}): Promise<RawSocket> {
    const s = await RawSocket.open(wsUrl);
    s.send({ type: "hello", id: 0, token, cursors });
    await s.next((f) => f.type === "synced");
    return s;
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame (already received or future) matching `pred`. */
  next(pred: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const have = this.frames.find(pred);
    if (have) {
      this.frames.splice(this.frames.indexOf(have), 1);
      return Promise.resolve(have);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a frame")), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      });
    });
  }

  /** Sends a request frame and waits for its `ack`/`error`/`pong`/`ready` by id. */
  async request(frame: { id: number } & Record<string, unknown>): Promise<ServerFrame> {
    this.send(frame);
    return this.next((f) => "id" in f && f.id === frame.id);
  }

  async closeAndWait() {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
