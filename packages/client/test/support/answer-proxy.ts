import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** Which requests a rule applies to: method and path (without the query). */
export type RequestMatch = (req: { method: string; path: string }) => boolean;

type Rule =
  | { match: RequestMatch; action: "hold" }
  | { match: RequestMatch; action: (json: unknown) => unknown };

/**
 * A real loopback HTTP proxy in front of a test server: it forwards every request as it is, except
 * those a rule matches, whose answers it rewrites (JSON in, JSON out) or holds (never answers). It
 * stands for a broken or silent server between the SDK and ours, without touching either.
 */
export class AnswerProxy {
  readonly #target: URL;
  readonly #server = createServer((req, res) => this.#handle(req, res));
  readonly #sockets = new Set<Socket>();
  #rules: Rule[] = [];
  #held = 0;
  #url = "";

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server.on("connection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
  }

  /** Starts a proxy for `target` (e.g. `http://127.0.0.1:1234`) on an ephemeral loopback port. */
  static async start(target: string): Promise<AnswerProxy> {
    const p = new AnswerProxy(target);
    await new Promise<void>((resolve) => p.#server.listen(0, "127.0.0.1", resolve));
    p.#url = `http://127.0.0.1:${(p.#server.address() as AddressInfo).port}`;
    return p;
  }

  /** The proxy's base URL. */
  get url(): string {
    return this.#url;
  }

  /** How many requests are being held right now, unanswered. */
  get held(): number {
    return this.#held;
  }

  /** Answers to matching requests reach the client as `rewrite(json)` (status and headers kept). */
  rewrite(match: RequestMatch, rewrite: (json: unknown) => unknown): void {
    this.#rules.push({ match, action: rewrite });
  }

  /** Matching requests are read and never answered. */
  hold(match: RequestMatch): void {
    this.#rules.push({ match, action: "hold" });
  }

  /** Forgets every rule: everything passes through again. */
  clear(): void {
    this.#rules = [];
  }

  /** Stops the proxy and drops every connection, held ones included. */
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const rule = this.#rules.find((r) => r.match({ method, path }));
    if (rule?.action === "hold") {
      this.#held++;
      req.resume();
      res.on("close", () => this.#held--);
      return;
    }
    const upstream = request(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method,
        path: req.url,
        headers: { ...req.headers, host: this.#target.host },
      },
      (answer) => {
        if (!rule) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const body = Buffer.from(JSON.stringify(rule.action(text ? JSON.parse(text) : undefined)), "utf8");
          const headers = { ...answer.headers, "content-length": String(body.byteLength) };
          delete headers["transfer-encoding"];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }
}
