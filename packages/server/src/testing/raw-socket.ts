import type { ServerFrame } from "@hearth/protocol";
import { WS_SUBPROTOCOL } from "@hearth/protocol";
import WebSocket from "ws";

/** A raw protocol socket for tests that speak frames directly (bad input, authorization). */
export class RawSocket {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[] = [];
  #waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  closed: { code: number } | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as ServerFrame;
      this.frames.push(f);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    ws.on("close", (code) => {
      this.closed = { code };
    });
  }

  static async open(wsUrl: string, protocol = WS_SUBPROTOCOL): Promise<RawSocket> {
    const ws = new WebSocket(wsUrl, protocol);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new RawSocket(ws);
  }

  /** Opens and says hello; resolves after `synced`. */
  static async hello(wsUrl: string, token: string, cursors: Record<string, number> = {}): Promise<RawSocket> {
    const s = await RawSocket.open(wsUrl);
    s.send({ type: "hello", id: 0, token, cursors });
    await s.next((f) => f.type === "synced");
    return s;
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame (already received or future) matching `pred`. */
  next(pred: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const have = this.frames.find(pred);
    if (have) {
      this.frames.splice(this.frames.indexOf(have), 1);
      return Promise.resolve(have);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a frame")), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      });
    });
  }

  /** Sends a request frame and waits for its `ack`/`error`/`pong`/`ready` by id. */
  async request(frame: { id: number } & Record<string, unknown>): Promise<ServerFrame> {
    this.send(frame);
    return this.next((f) => "id" in f && f.id === frame.id);
  }

  async closeAndWait() {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
