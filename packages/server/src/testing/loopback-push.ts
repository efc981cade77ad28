import { createECDH, createPublicKey, type ECDH, randomBytes, verify } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import ece from "http_ece";

/** One push as a push service received it, decrypted with the subscription's keys. */
export interface ReceivedPush {
  /** The subscription's id (the last path segment of its endpoint). */
  id: string;
  headers: Record<string, string>;
  /** The encrypted body, as sent. */
  body: Buffer;
  /** The decrypted plaintext, padding removed (RFC 8188). */
  plaintext: string;
  /** The VAPID JWT's claims, after its signature was checked against `k`. */
  vapid: { aud: string; sub: string; exp: number; k: string };
}

/** A subscription the test holds the private keys of. */
export interface LoopbackSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  privateKey: ECDH;
  authSecret: Buffer;
}

/**
 * A push service (RFC 8030) on loopback for tests: `subscribe()` makes a subscription whose keys the
 * test holds; every push to it is checked (VAPID signature, aes128gcm), decrypted and recorded. Like
 * a real service it keeps only the newest undelivered push per `Topic` ({@link mailbox}). Answers
 * 201 unless the test queued other statuses with {@link answer}.
 *
 * @example
 * const ps = await LoopbackPushService.start();
 * const sub = ps.subscribe();
 * // PUT /v1/push/subscription { endpoint: sub.endpoint, keys: sub.keys }, send a message, then:
 * expect(JSON.parse(ps.received[0]!.plaintext)).toMatchObject({ kind: "message" });
 */
export class LoopbackPushService {
  readonly #server: Server;
  readonly origin: string;
  readonly #subs = new Map<string, LoopbackSubscription>();
  readonly #answers = new Map<string, number[]>();
  /** Every push received, in order (including ones answered with an error status). */
  readonly received: ReceivedPush[] = [];
  /** Per subscription, per topic (or a unique key without one): the newest push — what a device gets. */
  readonly mailbox = new Map<string, Map<string, ReceivedPush>>();
  /** Pushes that failed a check (bad JWT, undecryptable), as messages. */
  readonly failures: string[] = [];

  private constructor(server: Server, origin: string) {
    this.#server = server;
    this.origin = origin;
  }

  static async start(): Promise<LoopbackPushService> {
    let self: LoopbackPushService | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = self ? self.#receive(req.url ?? "", req.headers, Buffer.concat(chunks)) : 500;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    self = new LoopbackPushService(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** A new subscription on this service. */
  subscribe(): LoopbackSubscription {
    const id = randomBytes(9).toString("base64url");
    const privateKey = createECDH("prime256v1");
    privateKey.generateKeys();
    const authSecret = randomBytes(16);
    const sub = {
      id,
      endpoint: `${this.origin}/push/${id}`,
      keys: {
        p256dh: privateKey.getPublicKey().toString("base64url"),
        auth: authSecret.toString("base64url"),
      },
      privateKey,
      authSecret,
    };
    this.#subs.set(id, sub);
    return sub;
  }

  /** Answers the next pushes to `sub` with these statuses, in order (then 201 again). */
  answer(sub: LoopbackSubscription, ...statuses: number[]) {
    this.#answers.set(sub.id, [...(this.#answers.get(sub.id) ?? []), ...statuses]);
  }

  /** The pushes `sub` received (any status). */
  pushesTo(sub: LoopbackSubscription): ReceivedPush[] {
    return this.received.filter((p) => p.id === sub.id);
  }

  async stop() {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #receive(url: string, rawHeaders: Record<string, string | string[] | undefined>, body: Buffer): number {
    const id = url.split("/").pop() ?? "";
    const sub = this.#subs.get(id);
    if (!sub) return 404;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawHeaders)) if (typeof v === "string") headers[k] = v;
    let plaintext: string;
    let vapid: ReceivedPush["vapid"];
    try {
      if (headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
      vapid = this.#checkVapid(headers.authorization ?? "");
      plaintext = ece
        .decrypt(body, { version: "aes128gcm", privateKey: sub.privateKey, authSecret: sub.authSecret })
        .toString("utf8");
    } catch (err) {
      this.failures.push(err instanceof Error ? err.message : String(err));
      return 400;
    }
    const push: ReceivedPush = { id, headers, body, plaintext, vapid };
    this.received.push(push);
    const status = this.#answers.get(id)?.shift() ?? 201;
    if (status >= 200 && status < 300) {
      let box = this.mailbox.get(id);
      if (!box) {
        box = new Map();
        this.mailbox.set(id, box);
      }
      box.set(headers.topic ?? `untopical-${this.received.length}`, push);
    }
    return status;
  }

  /** RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT is ES256 over the public key `k`. */
  #checkVapid(header: string): ReceivedPush["vapid"] {
    const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header);
    if (!m) throw new Error("no vapid authorization");
    const [, jwt = "", k = ""] = m;
    const [h = "", p = "", s = ""] = jwt.split(".");
    const point = Buffer.from(k, "base64url");
    const key = createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33, 65).toString("base64url"),
      },
      format: "jwk",
    });
    const ok = verify(
      "sha256",
      Buffer.from(`${h}.${p}`),
      { key, dsaEncoding: "ieee-p1363" },
      Buffer.from(s, "base64url"),
    );
    if (!ok) throw new Error("bad vapid signature");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as {
      aud: string;
      sub: string;
      exp: number;
    };
    if (claims.aud !== this.origin) throw new Error("vapid audience is not this push service");
    return { ...claims, k };
  }
}
