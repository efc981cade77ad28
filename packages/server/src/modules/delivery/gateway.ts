import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { CloseCode, WS_PATH, WS_SUBPROTOCOL } from "@hearth/protocol";
import { WebSocketServer } from "ws";
import type { Clock, TimerHandle } from "../../clock.ts";
import { Connection, type ConnectionDeps } from "./connection.ts";
import { TurnCork } from "./turn-cork.ts";

/**
 * The WebSocket entry point: one socket per device at `/v1/ws`, subprotocol `hearth.v1`.
 * Authentication happens in the first frame (`hello`), never in the URL.
 */
export class Gateway {
  readonly #wss: WebSocketServer;
  readonly #deps: ConnectionDeps;
  readonly #alive = new WeakMap<object, boolean>();
  readonly #connections = new Set<Connection>();
  /** Frames to one socket in one event-loop turn go out in one write. */
  readonly #cork = new TurnCork();
  readonly #clock: Clock;
  readonly #heartbeatMs: number;
  #heartbeat: TimerHandle;
  #closed = false;
  readonly #offReconnect: (() => void) | undefined;

  constructor(server: Server, deps: ConnectionDeps) {
    this.#deps = deps;
    this.#clock = deps.clock;
    this.#heartbeatMs = deps.options.heartbeatMs;
    this.#wss = new WebSocketServer({
      noServer: true,
      // Frames a little over the limit get a coded `frame_too_large` error and the socket lives on;
      // far over it, ws closes with 1009 before buffering them.
      maxPayload: deps.options.maxFrameBytes * 4,
      handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
      perMessageDeflate: false,
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
    this.#armHeartbeat();
    // The bus lost its server for a while (Redis restarted): events of that time may never arrive.
    // Every socket is closed with "resync"; its client reconnects and resumes from its cursors, so
    // it reads what it missed from the store (entries, new conversations, welcomes).
    this.#offReconnect = deps.bus.onReconnect?.(() => {
      deps.log.warn({ sockets: this.#connections.size }, "bus reconnected: sockets resync");
      for (const c of this.#connections) c.close(CloseCode.goingAway, "resync");
    });
  }

  /** One heartbeat every `heartbeatMs`: a one-shot timer of the clock, re-armed after each beat. */
  #armHeartbeat() {
    if (this.#closed) return;
    this.#heartbeat = this.#clock.setTimeout(() => {
      this.#beat();
      this.#armHeartbeat();
    }, this.#heartbeatMs);
    // A Node timer from the system clock must not keep the process alive on its own (as before with
    // setInterval); a manual clock's handle has no `unref`.
    (this.#heartbeat as { unref?: () => void } | undefined)?.unref?.();
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const path = (req.url ?? "").split("?")[0];
    const offered = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((s) => s.trim());
    if (path !== WS_PATH || !offered.includes(WS_SUBPROTOCOL)) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#alive.set(ws, true);
      ws.on("pong", () => this.#alive.set(ws, true));
      // `socket` is the one ws writes to: corking it holds ws's frames back until the turn ends.
      const conn = new Connection(ws, this.#deps, { socket, cork: this.#cork });
      this.#connections.add(conn);
      ws.on("close", () => this.#connections.delete(conn));
    });
  }

  #beat() {
    for (const ws of this.#wss.clients) {
      if (this.#alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      ws.ping();
    }
  }

  /** Number of open sockets. */
  get size() {
    return this.#connections.size;
  }

  async close() {
    this.#closed = true;
    this.#offReconnect?.();
    this.#clock.clearTimeout(this.#heartbeat);
    for (const c of this.#connections) c.close(CloseCode.goingAway);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
