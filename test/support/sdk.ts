import {
  HearthClient,
  type HearthClientEvents,
  type HearthClientOptions,
  type ReceivedMessage,
  State,
  unencryptedCodecForTests,
  type WebSocketConstructor,
} from "@hearth/client";
import { CLIENT_EVENT_NAMES } from "@hearth/client/testing";
import type { ConversationId, SessionResponse } from "@hearth/protocol";
import WebSocket from "ws";

/**
 * A real SDK client in Node (the `ws` WebSocket), recording everything it emits. Without
 * `encryption` in `opts` it uses `unencryptedCodecForTests`.
 */
export class TestClient {
  readonly client: HearthClient;
  readonly session: SessionResponse;
  readonly messages: ReceivedMessage[] = [];
  readonly events: { [K in keyof HearthClientEvents]?: HearthClientEvents[K][] } = {};

  constructor(baseUrl: string, session: SessionResponse, opts: Partial<HearthClientOptions> = {}) {
    this.session = session;
    this.client = new HearthClient({
      baseUrl,
      token: session.token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: { minMs: 20, maxMs: 300 },
      // Not encrypted unless the test asks for encryption: these tests measure delivery, not MLS.
      ...(opts.encryption ? {} : { codec: unencryptedCodecForTests }),
      ...opts,
    });
    for (const n of CLIENT_EVENT_NAMES) {
      this.client.on(n, (p) => {
        const list = (this.events[n] ?? []) as unknown[];
        list.push(p);
        (this.events as Record<string, unknown[]>)[n] = list;
        if (n === "message") this.messages.push(p as ReceivedMessage);
      });
    }
  }

  /** Connects and waits for `synced`. */
  async connect(): Promise<void> {
    const done = this.waitFor(() => this.client.state === State.Connected, "connected");
    this.client.connect();
    await done;
  }

  /** Polls until `pred` holds (events arrive asynchronously); fails with `what` after `ms`. */
  async waitFor(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Texts received in a conversation, in order. */
  texts(conversationId: ConversationId | string): string[] {
    return this.messages
      .filter((m) => m.conversationId === conversationId && m.kind === "message")
      .map((m) => m.content?.text ?? `<${m.undecryptable}>`);
  }

  close(): void {
    this.client.close();
  }
}
