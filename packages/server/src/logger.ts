import pino, { type Logger } from "pino";

/**
 * Paths that must never be logged. This is the one redaction step every log line passes through:
 * tokens, passwords, message bodies, names, emails and logins are censored wherever they appear.
 */
const REDACT = [
  "token",
  "password",
  "body",
  "login",
  "email",
  "displayName",
  "name",
  "setupToken",
  "*.token",
  "*.password",
  "*.body",
  "*.login",
  "*.email",
  "*.displayName",
  "*.setupToken",
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["sec-websocket-protocol"]',
];

/** Shortens an id for logs: enough to correlate, not enough to enumerate. */
export function shortId(id: string | undefined | null): string {
  if (!id) return "-";
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: string;
  /** A destination stream (tests capture log output to scan it for secrets). */
  stream?: NodeJS.WritableStream;
}

/** Builds the server's one logger, with redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: {
      // Log the route pattern, never the raw URL: invite tokens travel in paths.
      req: (req: { method?: string; routeOptions?: { url?: string }; id?: string }) => ({
        method: req.method,
        route: req.routeOptions?.url ?? "(unmatched)",
        id: req.id,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return options.stream ? pino(opts, options.stream as pino.DestinationStream) : pino(opts);
}
