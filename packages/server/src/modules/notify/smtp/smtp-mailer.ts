import nodemailer, { type Transporter } from "nodemailer";
import type { Mailer, OutgoingMail } from "../mailer.ts";

/** Options of the {@link SmtpMailer}, usually from `HEARTH_SMTP_*` environment variables. */
export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  url: string;
  /** The sender address, e.g. `Hearth <no-reply@practice.example>`. */
  from: string;
  /**
   * Refuse to send without TLS (default true: STARTTLS is required on `smtp://`). Tests against a
   * local server on 127.0.0.1 turn it off.
   */
  requireTls?: boolean;
}

/** Sends email through an SMTP server with nodemailer (one pooled transport). */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpMailerOptions) {
    const url = new URL(options.url);
    const secure = url.protocol === "smtps:";
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (secure ? 465 : 587)),
      secure,
      requireTLS: !secure && options.requireTls !== false,
      ignoreTLS: options.requireTls === false && !secure,
      pool: true,
      maxConnections: 2,
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
    });
    this.#from = options.from;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      headers: mail.headers,
    });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
