import type { SessionResponse } from "@hearth/protocol";
import WebSocket from "ws";
import {
  HearthClient,
  type HearthClientOptions,
  State,
  unencryptedCodecForTests,
  type WebSocketConstructor,
} from "../../src/index.ts";
import { EventRecorder } from "../../src/testing.ts";

/** A client under test and what it emitted. */
export interface RecordedClient {
  client: HearthClient;
  rec: EventRecorder;
}

/**
 * Makes real SDK clients (the `ws` WebSocket, short backoff) against the server at `baseUrl()`,
 * each with an {@link EventRecorder}; `closeAll()` closes every one of them (in `afterEach`).
 * Without `encryption` in `opts` a client uses `unencryptedCodecForTests`: these tests measure
 * delivery, not MLS.
 */
export function recordedClients(baseUrl: () => string) {
  const clients: HearthClient[] = [];
  const make = (session: SessionResponse, opts: Partial<HearthClientOptions> = {}): RecordedClient => {
    const client = new HearthClient({
      baseUrl: baseUrl(),
      token: session.token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: { minMs: 20, maxMs: 200 },
      ...(opts.encryption ? {} : { codec: unencryptedCodecForTests }),
      ...opts,
    });
    clients.push(client);
    return { client, rec: new EventRecorder(client) };
  };
  /** Connects and waits for `connected` (the backlog delivered). */
  const connected = async (c: RecordedClient): Promise<void> => {
    c.client.connect();
    await c.rec.waitFor(() => c.client.state === State.Connected, "connected");
  };
  const closeAll = (): void => {
    for (const c of clients.splice(0)) c.close();
  };
  return { make, connected, closeAll };
}
