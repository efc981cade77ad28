import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** One email as the SMTP server received it. */
export interface CapturedMail {
  /** RCPT TO addresses. */
  to: string[];
  /** The whole message as sent: headers and body. */
  raw: string;
  /** Header values by lower-case name (unfolded; the last one wins). */
  headers: Record<string, string>;
  /** Everything after the header block. */
  body: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on a loopback port that keeps every email it
 * receives, for tests of what the server sends and what a mail server would see.
 */
export class SmtpCapture {
  readonly mails: CapturedMail[];
  readonly #server: SMTPServer;
  readonly port: number;

  private constructor(server: SMTPServer, port: number, mails: CapturedMail[], stalled: { count: number }) {
    this.#server = server;
    this.#stalled = stalled;
    this.port = port;
    this.mails = mails;
  }

  readonly #stalled: { count: number };

  /** How many emails were held without an answer (`stallFirst`). */
  get stalled(): number {
    return this.#stalled.count;
  }

  /**
   * Starts the server. `stallFirst`: the first `n` emails are read but never answered, as if the
   * sender died mid-send; they are not kept.
   */
  static async start(options: { stallFirst?: number } = {}): Promise<SmtpCapture> {
    const mails: CapturedMail[] = [];
    const stalled = { count: 0 };
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          if (stalled.count < (options.stallFirst ?? 0)) {
            stalled.count += 1;
            return;
          }
          const raw = Buffer.concat(chunks).toString("utf8");
          const split = raw.indexOf("\r\n\r\n");
          const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
          const headers: Record<string, string> = {};
          for (const line of head.split("\r\n")) {
            const i = line.indexOf(":");
            if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
          }
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            headers,
            body: raw.slice(split + 4),
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.server.address() as AddressInfo).port;
    return new SmtpCapture(server, port, mails, stalled);
  }

  get url() {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Emails to one address. */
  to(address: string): CapturedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
