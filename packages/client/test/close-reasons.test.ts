import { makePractice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  HearthClient,
  unencryptedCodecForTests,
  type WebSocketConstructor,
  type WebSocketLike,
} from "../src/index.ts";
import { EventRecorder } from "../src/testing.ts";

/** The real `ws` socket, except that the client's `hello` never leaves the device. */
class SilentHello implements WebSocketLike {
  readonly #ws: WebSocket;
  onopen: WebSocketLike["onopen"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  constructor(url: string, protocols: string | string[]) {
    this.#ws = new WebSocket(url, protocols);
    this.#ws.onopen = (e) => this.onopen?.(e);
    this.#ws.onerror = (e) => this.onerror?.(e);
    this.#ws.onclose = (e) => this.onclose?.({ code: e.code, reason: e.reason });
    this.#ws.onmessage = (e) => this.onmessage?.({ data: String(e.data) });
  }
  get readyState() {
    return this.#ws.readyState;
  }
  send(data: string) {
    if ((JSON.parse(data) as { type?: string }).type !== "hello") this.#ws.send(data);
  }
  close(code?: number, reason?: string) {
    this.#ws.close(code, reason);
  }
}

describe("close codes, read through the protocol's closeReason", () => {
  let t: TestServer | undefined;
  let client: HearthClient | undefined;
  afterEach(async () => {
    client?.close();
    await t?.stop();
  });

  it("the server's hello timeout (4002) is hello_timeout, not a request timeout, and the client reconnects", async () => {
    t = await startTestServer({ helloTimeoutMs: 100 });
    const p = await makePractice(t, 1);
    client = new HearthClient({
      baseUrl: t.url,
      token: p.therapist.token,
      codec: unencryptedCodecForTests,
      WebSocket: SilentHello as unknown as WebSocketConstructor,
      // Long enough that the server's hello timeout, not the client's own, ends the socket.
      requestTimeoutMs: 60_000,
      backoff: { minMs: 20, maxMs: 50 },
    });
    const rec = new EventRecorder(client);
    client.connect();
    await rec.waitFor(() => rec.events.state.some((s) => s.reason !== undefined), "a lost connection");
    const lost = rec.events.state.find((s) => s.reason !== undefined);
    expect(lost).toMatchObject({ newState: "disconnected", reason: "hello_timeout" });
  });
});
