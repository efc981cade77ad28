import { once } from "node:events";
import { ManualClock } from "@hearth/client/testing";
import { WS_SUBPROTOCOL } from "@hearth/protocol";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { TRANSFER_TTL_MS } from "../src/modules/keys/keys-service.ts";

const HEARTBEAT_MS = 30_000;

describe("the server keeps time by the clock it is given", () => {
  let t: TestServer;
  let p: Practice;
  let clock: ManualClock;

  beforeEach(async () => {
    // Starts at the real time: parts of the server not yet on the clock still read Date.now.
    clock = new ManualClock(Date.now());
    t = await startTestServer({ clock, heartbeatMs: HEARTBEAT_MS });
    p = await makePractice(t);
  });
  afterEach(async () => {
    await t.stop();
  });

  it("dates a device-transfer mailbox by the clock and lets it expire when the clock passes its lifetime", async () => {
    const pa = p.patients[0]!;
    const open = await t.call<{ transferId: string; expiresAt: string }>("POST", "/v1/transfers", {
      token: pa.token,
      body: {},
    });
    expect(open.status).toBe(200);
    expect(Date.parse(open.body.expiresAt)).toBe(clock.now() + TRANSFER_TTL_MS);
    const path = `/v1/transfers/${open.body.transferId}`;
    clock.advance(TRANSFER_TTL_MS - 1000);
    expect(await t.call("GET", path, { token: pa.token })).toMatchObject({ status: 200 });
    clock.advance(1000);
    expect(await t.call("GET", path, { token: pa.token })).toMatchObject({
      status: 404,
      body: { code: "not_found" },
    });
  });

  it("pings on the clock's heartbeat and closes a socket that missed one, keeping the one that answered", async () => {
    const pa = p.patients[0]!;
    const answering = await RawSocket.hello(t.wsUrl, pa.token);
    // A client that never answers a ping (ws answers them by itself unless told not to).
    const silent = new WebSocket(t.wsUrl, WS_SUBPROTOCOL, { autoPong: false });
    await once(silent, "open");
    const synced = new Promise<void>((resolve) =>
      silent.on("message", (d) => {
        if ((JSON.parse(d.toString()) as { type: string }).type === "synced") resolve();
      }),
    );
    silent.send(JSON.stringify({ type: "hello", id: 0, token: p.therapist.token, cursors: {} }));
    await synced;

    const pinged = [once(answering.ws, "ping"), once(silent, "ping")];
    clock.advance(HEARTBEAT_MS);
    await Promise.all(pinged);
    // ws sends the automatic pong before it reports the ping; a request answered after it proves the
    // server has read that pong (one TCP stream, read in order).
    expect(await answering.request({ type: "ping", id: 1 })).toEqual({ type: "pong", id: 1 });

    const silentClosed = once(silent, "close");
    clock.advance(HEARTBEAT_MS);
    await silentClosed;
    expect(answering.closed).toBeUndefined();
    expect(await answering.request({ type: "ping", id: 2 })).toEqual({ type: "pong", id: 2 });
    await answering.closeAndWait();
  });
});
