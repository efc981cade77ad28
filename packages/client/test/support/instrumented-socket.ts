import WebSocket from "ws";
import type { WebSocketConstructor, WebSocketLike } from "../../src/index.ts";

/**
 * The real `ws` socket behind the SDK's WebSocketLike, with three test hooks: `drop` decides which
 * inbound frames never reach the client (a lost fan-out), `dropSent` which of the client's frames
 * never leave the device, and `sockets` lets a test cut the network.
 */
export function instrumented(
  drop: (frame: { type: string; entry?: { seq: number } }) => boolean = () => false,
  dropSent: (frame: { type?: string }) => boolean = () => false,
) {
  const sockets: WebSocket[] = [];
  class Instrumented implements WebSocketLike {
    readonly #ws: WebSocket;
    onopen: WebSocketLike["onopen"] = null;
    onclose: WebSocketLike["onclose"] = null;
    onerror: WebSocketLike["onerror"] = null;
    onmessage: WebSocketLike["onmessage"] = null;
    constructor(url: string, protocols: string | string[]) {
      this.#ws = new WebSocket(url, protocols);
      sockets.push(this.#ws);
      this.#ws.onopen = (e) => this.onopen?.(e);
      this.#ws.onerror = (e) => this.onerror?.(e);
      this.#ws.onclose = (e) => this.onclose?.({ code: e.code, reason: e.reason });
      this.#ws.onmessage = (e) => {
        const data = String(e.data);
        if (!drop(JSON.parse(data))) this.onmessage?.({ data });
      };
    }
    get readyState() {
      return this.#ws.readyState;
    }
    send(data: string) {
      if (!dropSent(JSON.parse(data))) this.#ws.send(data);
    }
    close(code?: number, reason?: string) {
      this.#ws.close(code, reason);
    }
  }
  return { WebSocket: Instrumented as WebSocketConstructor, sockets };
}
