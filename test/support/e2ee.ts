import { type HearthClientOptions, MemoryKeyStore } from "@hearth/client";
import type { SessionResponse } from "@hearth/protocol";
import { TestClient } from "./sdk.ts";

/** A real SDK client with end-to-end encryption over an in-memory key store (`opts`: a store, …). */
export class E2eeTestClient extends TestClient {
  readonly keyStore: MemoryKeyStore;
  constructor(
    baseUrl: string,
    session: SessionResponse,
    keyStore = new MemoryKeyStore(),
    opts: Partial<HearthClientOptions> = {},
  ) {
    super(baseUrl, session, { ...opts, encryption: { keyStore } });
    this.keyStore = keyStore;
  }
}

/** Polls an async condition until it holds; fails with `what` after `ms`. */
export async function until(
  pred: () => Promise<boolean> | boolean,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when every client's MLS group of the conversation holds exactly `deviceIds`, in the same epoch. */
export async function converged(clients: TestClient[], conversationId: string, deviceIds: string[]) {
  const want = [...deviceIds].sort().join(",");
  const epochs = new Set<number | undefined>();
  for (const c of clients) {
    const members = await c.client.crypto.members(conversationId as never);
    if (
      members
        .map((m) => m.deviceId)
        .sort()
        .join(",") !== want
    )
      return false;
    epochs.add(await c.client.crypto.epoch(conversationId as never));
  }
  return epochs.size === 1;
}
