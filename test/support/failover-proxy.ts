import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP load balancer on loopback, as in front of a multi-node deployment: each new connection goes
 * to the next backend in turn, and to the one after it if that one refuses (a dead node). Open
 * connections are never moved; when a node dies its clients reconnect and land on a live one.
 */
export class FailoverProxy {
  readonly #server: Server;
  readonly #backends: number[];
  readonly #sockets = new Set<Socket>();
  #next = 0;
  /** How many connections each backend port has been given so far. */
  readonly accepted = new Map<number, number>();

  private constructor(server: Server, backends: number[]) {
    this.#server = server;
    this.#backends = backends;
  }

  static async start(backends: number[]): Promise<FailoverProxy> {
    const server = createServer();
    const proxy = new FailoverProxy(server, backends);
    server.on("connection", (client) => proxy.#route(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  #route(client: Socket) {
    this.#sockets.add(client);
    client.on("close", () => this.#sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    const start = this.#next++;
    const attempt = (tried: number) => {
      if (tried >= this.#backends.length || client.destroyed) return client.destroy();
      const port = this.#backends[(start + tried) % this.#backends.length]!;
      const upstream = createConnection({ host: "127.0.0.1", port });
      let connected = false;
      upstream.on("error", () => {
        if (connected) client.destroy();
        else attempt(tried + 1);
      });
      upstream.once("connect", () => {
        connected = true;
        this.accepted.set(port, (this.accepted.get(port) ?? 0) + 1);
        this.#sockets.add(upstream);
        upstream.on("close", () => {
          this.#sockets.delete(upstream);
          client.destroy();
        });
        client.on("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
