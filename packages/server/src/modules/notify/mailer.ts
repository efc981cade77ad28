/** One outgoing email: plain text, with extra headers (`List-Unsubscribe`…). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/**
 * The notify module's way out to email. The SMTP adapter (`smtp/smtp-mailer.ts`, nodemailer) is the
 * only one; a server without SMTP configuration has no mailer and sends no email.
 */
export interface Mailer {
  /** Hands the email to the mail server; rejects when it refuses (the job retries). */
  send(mail: OutgoingMail): Promise<void>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
