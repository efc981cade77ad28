import { makePractice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";
import { HearthClient, unencryptedCodecForTests } from "../src/index.ts";
import { EventRecorder } from "../src/testing.ts";
import { instrumented } from "./support/instrumented-socket.ts";

/** The real `ws` socket, except that the client's `hello` never leaves the device. */
const SilentHello = instrumented(undefined, (f) => f.type === "hello").WebSocket;

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
      WebSocket: SilentHello,
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
