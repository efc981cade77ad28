import type { ConversationId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";
import { HearthApi, State } from "../src/index.ts";
import { ManualClock } from "../src/testing.ts";
import { instrumented } from "./support/instrumented-socket.ts";
import { recordedClients } from "./support/recorded-clients.ts";

describe("HearthClient against the real server", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;

  const start = async (overrides: Parameters<typeof startTestServer>[0] = {}) => {
    t = await startTestServer(overrides);
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  };
  const { make, connected, closeAll } = recordedClients(() => t.url);

  afterEach(async () => {
    closeAll();
    await t?.stop();
  });

  it("walks the states in order and ends closed with a reason", async () => {
    await start();
    const th = make(p.therapist);
    await connected(th);
    th.client.close();
    expect(th.rec.events.state.map((s) => s.newState)).toEqual([
      State.Connecting,
      State.Authenticating,
      State.Syncing,
      State.Connected,
      State.Closed,
    ]);
    expect(th.rec.events.state.at(-1)?.reason).toBe("client_closed");
    expect(th.rec.events.ready[0]).toEqual({ userId: p.therapist.userId, deviceId: p.therapist.deviceId });
    expect(() => th.client.connect()).toThrow();
  });

  it("a lost live entry is fetched over HTTP: the app still sees each message once, in order, without reconnecting", async () => {
    await start();
    const lossy = instrumented((f) => f.type === "message" && f.entry?.seq === 2);
    const pa = make(p.patients[0]!, { WebSocket: lossy.WebSocket });
    const th = make(p.therapist);
    await connected(pa);
    await connected(th);
    for (const text of ["one", "two", "three"]) await (await th.client.send(cid, { text })).sent;
    await pa.rec.waitFor(() => pa.rec.texts(cid).length === 3, "three messages");
    expect(pa.rec.texts(cid)).toEqual(["one", "two", "three"]);
    expect(pa.rec.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(pa.rec.events.state.some((s) => s.reason === "sequence_gap")).toBe(false);
    expect(lossy.sockets).toHaveLength(1);
    expect(pa.client.cursor(cid)).toBe(3);
  });

  it("a network drop: reconnects, resumes from its cursors, and the outbox sends what was queued meanwhile", async () => {
    await start();
    const net = instrumented();
    const pa = make(p.patients[0]!, { WebSocket: net.WebSocket });
    const th = make(p.therapist);
    await connected(pa);
    await connected(th);
    await (await th.client.send(cid, { text: "before" })).sent;
    await pa.rec.waitFor(() => pa.rec.texts(cid).length === 1, "first");

    net.sockets[0]!.terminate();
    await pa.rec.waitFor(() => pa.client.state === State.Disconnected, "disconnected");
    const queued = await pa.client.send(cid, { text: "written offline" });
    const missed = await th.client.send(cid, { text: "while you were away" });
    await missed.sent;

    const ack = await queued.sent;
    expect(ack.seq).toBe(3);
    await pa.rec.waitFor(() => pa.rec.texts(cid).length === 3, "resumed");
    expect(pa.rec.texts(cid)).toEqual(["before", "while you were away", "written offline"]);
    expect(pa.rec.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(pa.rec.messages[2]).toMatchObject({ own: true, messageId: queued.messageId });
    const lost = pa.rec.events.state.find((s) => s.newState === State.Disconnected);
    expect(lost?.reason).toBe("network");
    expect(pa.client.outboxSize).toBe(0);
    await th.rec.waitFor(() => th.rec.texts(cid).length === 3, "therapist sees it");
  });

  it("keeps a conversation's order when the server rate-limits sends", async () => {
    await start({ frameRate: { perSecond: 40, burst: 4 } });
    const pa = make(p.patients[0]!);
    await connected(pa);
    const queued = [];
    for (let i = 0; i < 30; i++) queued.push(await pa.client.send(cid, { text: `n${i}` }));
    const acks = await Promise.all(queued.map((q) => q.sent));
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const { entries } = await new HearthApi({ baseUrl: t.url, token: p.therapist.token }).history(cid);
    expect(entries.map((e) => e.messageId)).toEqual(queued.map((q) => q.messageId));
  });

  it("a revoked session closes the client for good with token_invalid", async () => {
    await start();
    const pa = make(p.patients[0]!);
    await connected(pa);
    await new HearthApi({ baseUrl: t.url, token: p.patients[0]!.token }).logout();
    await pa.rec.waitFor(() => pa.client.state === State.Closed, "closed");
    expect(pa.rec.events.state.at(-1)).toMatchObject({ newState: State.Closed, reason: "token_invalid" });
    await new Promise((r) => setTimeout(r, 300));
    expect(pa.rec.events.state.filter((s) => s.newState === State.Connecting)).toHaveLength(1);
  });

  it("heartbeat: pings keep an idle connection up; a silent server is left and rejoined", async () => {
    await start();
    let silent = false;
    const net = instrumented(() => silent);
    const pa = make(p.patients[0]!, { WebSocket: net.WebSocket, heartbeatMs: 100, heartbeatTimeoutMs: 150 });
    await connected(pa);
    await new Promise((r) => setTimeout(r, 600));
    expect(pa.client.state).toBe(State.Connected);
    silent = true;
    await pa.rec.waitFor(
      () => pa.rec.events.state.some((s) => s.reason === "heartbeat_timeout"),
      "heartbeat timeout",
      5_000,
    );
    silent = false;
    await pa.rec.waitFor(() => pa.client.state === State.Connected, "back");
    expect(net.sockets.length).toBeGreaterThanOrEqual(2);
  });

  it("keeps a local message list; deleting for everyone erases the stored text", async () => {
    await start();
    const th = make(p.therapist);
    const pa = make(p.patients[0]!);
    await connected(th);
    await connected(pa);
    const m = await th.client.send(cid, { text: "oops" });
    await m.sent;
    await (await th.client.deleteMessage(cid, m.messageId)).sent;
    await pa.rec.waitFor(() => pa.rec.messages.length === 2, "tombstone");
    const local = await pa.client.localMessages(cid);
    expect(local.map((x) => x.kind)).toEqual(["deleted", "tombstone"]);
    expect(JSON.stringify(local)).not.toContain("oops");
  });

  it("a refused send fails with its code and does not block the conversation", async () => {
    await start();
    const pa = make(p.patients[0]!);
    await connected(pa);
    const other = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
    const bad = await pa.client.send(other, { text: "nowhere" });
    await expect(bad.sent).rejects.toMatchObject({ code: "not_found" });
    expect(pa.rec.events.failed).toEqual([
      { conversationId: other, messageId: bad.messageId, code: "not_found" },
    ]);
    const ok = await pa.client.send(cid, { text: "somewhere" });
    expect((await ok.sent).seq).toBe(1);
  });

  it("typing: one active frame per refresh interval, a stop after idling, nothing when turned off", async () => {
    await start();
    const frames: boolean[] = [];
    const watch = instrumented((f) => {
      if (f.type === "typing") frames.push((f as unknown as { active: boolean }).active);
      return false;
    });
    const th = make(p.therapist, { WebSocket: watch.WebSocket });
    const clock = new ManualClock(Date.now());
    const pa = make(p.patients[0]!, { clock, typingIdleMs: 5_000 });
    await connected(th);
    await connected(pa);
    for (let i = 0; i < 3; i++) {
      pa.client.setTyping(cid, true); // keystrokes at 0, 1 s, 2 s: one frame
      clock.advance(1_000);
    }
    clock.advance(100);
    // The server has its own (real-time) throttle of TYPING_REFRESH_MS / 3; stay clear of it.
    await new Promise((r) => setTimeout(r, 1_100));
    pa.client.setTyping(cid, true); // 3.1 s: the refresh
    await th.rec.waitFor(() => frames.length === 2, "two typing frames");
    clock.advance(5_000); // idle: the client says it stopped
    await th.rec.waitFor(() => frames.length === 3, "stop");
    expect(frames).toEqual([true, true, false]);
    expect(th.rec.events.typing.map((e) => e.active)).toEqual([true, false]);

    pa.client.setPrivacy({ sendTyping: false });
    pa.client.setTyping(cid, true);
    await (await pa.client.send(cid, { text: "flush the socket" })).sent;
    await th.rec.waitFor(() => th.rec.texts(cid).length === 1, "message after");
    expect(frames).toHaveLength(3);
  });
});
