import { createServer } from "node:http";
import type { Logger } from "pino";
import type { PromMetrics } from "./prometheus/prom-metrics.ts";

/**
 * Serves `GET /metrics` (and nothing else) on a listen address of its own, `host:port`, without a
 * token: for a Prometheus agent on a private interface or loopback that the public port does not
 * expose. Resolves once listening; the listener does not keep the process alive by itself.
 */
export async function serveMetrics(metrics: PromMetrics, listen: string, log: Logger): Promise<void> {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new Error(`HEARTH_METRICS_LISTEN must be host:port, not ${JSON.stringify(listen)}`);
  const host = m[1]!.replace(/^\[(.*)\]$/, "$1");
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(m[2]), host, () => resolve());
  });
  server.unref();
  log.info({ listen }, "metrics listening");
}
