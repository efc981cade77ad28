import { DEFAULT_MAX_FRAME_BYTES } from "@hearth/protocol";
import type { HearthClientOptions } from "./client-options.ts";
import type { ClientStore } from "./client-store.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { ConnectionOptions, WebSocketConstructor } from "./connection/connection.ts";
import { HearthApi } from "./hearth-api.ts";
import { MemoryClientStore } from "./memory-client-store.ts";

/** {@link HearthClientOptions} checked, with the environment found and the defaults filled in. */
export interface ResolvedClientOptions {
  readonly clock: Clock;
  readonly random: () => number;
  readonly store: ClientStore;
  readonly maxFrameBytes: number;
  readonly sendReadReceipts: boolean;
  /** Undefined when there is no `fetch` (neither passed nor global). */
  readonly api: HearthApi | undefined;
  readonly connection: ConnectionOptions;
}

/**
 * Checks a {@link HearthClient}'s options (throws on misuse: no WebSocket, neither or both of
 * `codec` and `encryption`) and fills in the environment's WebSocket and fetch and the defaults.
 */
export function resolveClientOptions(options: HearthClientOptions): ResolvedClientOptions {
  const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WS) throw new Error("No WebSocket implementation: pass options.WebSocket");
  if (options.encryption && options.codec) throw new Error("Pass either codec or encryption, not both.");
  if (!options.encryption && !options.codec) {
    throw new Error(
      "Pass options.encryption (or, in tests and benchmarks only, codec: unencryptedCodecForTests).",
    );
  }
  const baseUrl = options.baseUrl.replace(/\/$/, "");
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const store = options.store ?? new MemoryClientStore();
  const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
  return {
    clock,
    random,
    store,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    sendReadReceipts: options.sendReadReceipts ?? true,
    api: fetchFn ? new HearthApi({ baseUrl, token: options.token, fetch: fetchFn }) : undefined,
    connection: {
      baseUrl,
      token: options.token,
      WebSocket: WS,
      clock,
      random,
      backoff: options.backoff ?? { minMs: 250, maxMs: 30_000 },
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      heartbeatMs: options.heartbeatMs ?? 20_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
    },
  };
}
