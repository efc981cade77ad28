import { connect } from "node:net";
import { ManualClock } from "@hearth/client/testing";
import { newId, type ServerFrame } from "@hearth/protocol";
import { type BuildServerInput, DEFAULTS } from "@hearth/server";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A `send` frame of about `bytes` bytes; its `id` last, as the SDK writes it, or first. */
function bigSend(id: number, conversationId: string, bytes: number, idFirst = false): string {
  const body = Buffer.alloc(Math.floor((bytes * 3) / 4), id % 251).toString("base64");
  const frame = { type: "send", conversationId, messageId: newId("msg"), body };
  return JSON.stringify(idFirst ? { id, ...frame } : { ...frame, id });
}

/** Sends each frame, then waits for every answer (ack or error) by id; returns them in id order. */
async function answers(s: RawSocket, frames: string[], ids: number[]): Promise<ServerFrame[]> {
  for (const f of frames) s.send(f);
  return Promise.all(ids.map((id) => s.next((f) => "id" in f && f.id === id, 20_000)));
}

const count = (fs: ServerFrame[], type: string, code?: string) =>
  fs.filter((f) => f.type === type && (code === undefined || (f.type === "error" && f.code === code))).length;

describe("finding 6: pre-hello limit and byte budgets on the socket", () => {
  let t: TestServer;
  let p: Practice;
  let clock: ManualClock;
  const sockets: RawSocket[] = [];
  const open = async (token: string) => {
    const s = await RawSocket.hello(t.wsUrl, token);
    sockets.push(s);
    return s;
  };
  const start = async (overrides: Partial<BuildServerInput> = {}) => {
    // Time stands still unless a test moves it: budgets are counted in bytes, never in waiting.
    clock = new ManualClock();
    t = await startTestServer({ clock, ...overrides });
    p = await makePractice(t, 1);
    return p.patients[0]?.conversationId ?? "";
  };

  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.closeAndWait();
    await t?.stop();
  });

  it("finding 6: a flooding socket gets rate_limited after a bounded number of bytes while another user's messages are all acknowledged", async () => {
    const cid = await start();
    const patient = await open(p.patients[0]?.token ?? "");
    const therapist = await open(p.therapist.token);
    const frameBytes = 190 * KiB;
    const flood = Array.from({ length: 100 }, (_, i) => bigSend(i + 1, cid, frameBytes));
    const size = Buffer.byteLength(flood[0] ?? "");
    const floodAnswers = answers(
      patient,
      flood,
      flood.map((_, i) => i + 1),
    );
    // Meanwhile the therapist writes 20 ordinary messages: each one is acknowledged.
    const quiet = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        type: "send",
        id: 500 + i,
        conversationId: cid,
        messageId: newId("msg"),
        body: Buffer.from(`hello ${i}`).toString("base64"),
      }),
    );
    const quietAnswers = await answers(
      therapist,
      quiet,
      quiet.map((_, i) => 500 + i),
    );
    expect(count(quietAnswers, "ack")).toBe(20);

    const got = await floodAnswers;
    // The socket's byte budget (burst 4 MiB) lets at most that many bytes through, not the 19 MiB sent.
    const accepted = count(got, "ack");
    expect(accepted).toBeGreaterThan(0);
    expect(accepted * size).toBeLessThanOrEqual(DEFAULTS.byteRate.socket.burst);
    expect(count(got, "error", "rate_limited")).toBe(100 - accepted);
    // A refused frame was not processed: only the accepted ones are in the log.
    const list = await t.call<{ conversationId: string; lastSeq: number }[]>("GET", "/v1/conversations", {
      token: p.therapist.token,
    });
    expect(list.body.find((c) => c.conversationId === cid)?.lastSeq).toBe(accepted + 20);

    // A budget, not a ban: a second later the socket may send again, about 1 MiB's worth.
    clock.advance(1000);
    const again = await answers(patient, [bigSend(900, cid, frameBytes)], [900]);
    expect(again[0]).toMatchObject({ type: "ack" });
  });

  it("finding 6: one user's sockets share one byte budget", async () => {
    const cid = await start({
      byteRate: { socket: { perSecond: 1000, burst: 1 * MiB }, user: { perSecond: 1000, burst: 1.5 * MiB } },
    });
    const a = await open(p.patients[0]?.token ?? "");
    const b = await open(p.patients[0]?.token ?? "");
    const c = await open(p.patients[0]?.token ?? "");
    const frames = (base: number) =>
      Array.from({ length: 8 }, (_, i) => bigSend(base + i, cid, 190 * KiB, true));
    const size = Buffer.byteLength(frames(0)[0] ?? "");
    const got = await Promise.all(
      [a, b, c].map((s, k) =>
        answers(
          s,
          frames(k * 100 + 1),
          Array.from({ length: 8 }, (_, i) => k * 100 + 1 + i),
        ),
      ),
    );
    const perSocket = got.map((g) => count(g, "ack"));
    for (const n of perSocket) expect(n * size).toBeLessThanOrEqual(1 * MiB);
    const total = perSocket.reduce((x, y) => x + y, 0);
    // Three sockets would pass three times the socket budget; the user's budget holds them to 1.5 MiB.
    expect(total * size).toBeLessThanOrEqual(1.5 * MiB);
    expect(total).toBeGreaterThan(Math.max(...perSocket));
    expect(count(got.flat(), "error", "rate_limited")).toBe(24 - total);
  });

  it("finding 6: a 1 MiB frame before hello is refused with frame_too_large and the socket closes (1009)", async () => {
    await start();
    const s = await RawSocket.open(t.wsUrl);
    sockets.push(s);
    const closed = new Promise<number>((resolve) => s.ws.once("close", (code) => resolve(code)));
    s.send(JSON.stringify({ type: "hello", id: 1, token: "x".repeat(MiB - 64), cursors: {} }));
    expect(await s.next((f) => f.type === "error")).toMatchObject({ code: "frame_too_large" });
    expect(await closed).toBe(1009);
  });

  it("finding 6: before hello even a frame under maxFrameBytes but over 64 KiB is refused", async () => {
    await start();
    const s = await RawSocket.open(t.wsUrl);
    sockets.push(s);
    const closed = new Promise<number>((resolve) => s.ws.once("close", (code) => resolve(code)));
    s.send({ type: "ping", id: 1, pad: "x".repeat(100 * KiB) });
    expect(await s.next((f) => f.type === "error")).toMatchObject({ code: "frame_too_large" });
    expect(await closed).toBe(1009);
    // A hello of ordinary size still works on a new socket.
    const ok = await open(p.patients[0]?.token ?? "");
    expect(await ok.request({ type: "ping", id: 2 })).toMatchObject({ type: "pong" });
  });

  it("finding 6: HTTP headers and requests have deadlines, and a slow-header connection is cut", async () => {
    await start({ headersTimeoutMs: 300 });
    expect(t.server.app.server.headersTimeout).toBe(300);
    expect(t.server.app.server.requestTimeout).toBe(DEFAULTS.requestTimeoutMs);
    expect(DEFAULTS).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    // Half a request line and never the rest: the server answers 408 and closes.
    const { port } = new URL(t.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(Number(port), "127.0.0.1", () =>
        sock.write("GET /health HTTP/1.1\r\nHost: x\r\n"),
      );
      let text = "";
      sock.on("data", (d) => {
        text += d.toString("latin1");
      });
      sock.on("close", () => resolve(text));
      sock.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });
});
