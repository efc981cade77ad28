import type { ConversationId, DeviceId, ServerFrame, UserId } from "@hearth/protocol";
import type { HearthClientOptions } from "../client-options.ts";
import type { Clock } from "../clock.ts";
import type { E2eeSession } from "../e2ee/e2ee-session.ts";
import type { HearthApi } from "../hearth-api.ts";
import type { MessageContent } from "../payload-codec.ts";
import { Calls } from "./calls.ts";

/** What a client hands its calls: its socket, this device, its encryption, its API and `send`. */
export interface ClientCallsDeps {
  clock: Clock;
  request(frame: Record<string, unknown>): Promise<ServerFrame>;
  me(): { userId: UserId; deviceId: DeviceId } | undefined;
  e2ee: E2eeSession | undefined;
  api: HearthApi | undefined;
  /** The client's `send`: a call's trace is an end-to-end encrypted message of the conversation. */
  send(conversationId: ConversationId, content: MessageContent): Promise<unknown>;
  options: HearthClientOptions["calls"];
}

/**
 * The client's `calls`: signals sealed with the conversation's MLS group, TURN credentials from the
 * server, the trace of each call sent as a message, and the options the app gave.
 */
export function callsForClient(d: ClientCallsDeps): Calls {
  const { e2ee, api, options } = d;
  return new Calls({
    clock: d.clock,
    request: d.request,
    me: d.me,
    cipher: e2ee
      ? {
          seal: (cid, plaintext) => e2ee.sealCallSignal(cid, plaintext),
          open: (cid, bytes, from) => e2ee.openCallSignal(cid, bytes, from),
        }
      : undefined,
    record: async (cid, content) => {
      await d.send(cid, content);
    },
    turn: async () => {
      if (!api) throw new Error("calls need fetch: pass options.fetch");
      return api.call("turnCredentials");
    },
    rtc: options?.rtc,
    ...(options?.ringTimeoutMs ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
    ...(options?.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options?.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}),
  });
}
