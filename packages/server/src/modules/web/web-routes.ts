import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Options of {@link registerWeb}. */
export interface WebOptions {
  /** The built web app (`apps/web/dist`, made by `npm run build:web`). */
  distDir: string;
}

/** Content-hashed build output: safe to cache for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Everything else revalidates on each use (ETag), so a new build shows up at once. */
const REVALIDATE = "no-cache";
/**
 * The app shell is never stored by the HTTP cache, which also keeps it out of the back/forward
 * cache: after a quick exit, Back must not bring a page back from memory.
 */
const SHELL = "no-store";

/** Paths the web app never answers: the API and health check keep their own JSON 404s. */
function isApiPath(path: string): boolean {
  return path === "v1" || path.startsWith("v1/") || path === "healthz";
}

/** Whether the last path segment looks like a file ("app.js", "icon.svg"), not an app route. */
function hasExtension(path: string): boolean {
  const last = path.slice(path.lastIndexOf("/") + 1);
  return /\.[A-Za-z0-9]+$/.test(last);
}

function cacheControlFor(path: string): string {
  if (path.startsWith("assets/")) return IMMUTABLE;
  if (path === "index.html") return SHELL;
  return REVALIDATE;
}

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Hearth</title></head>
<body>
<h1>Hearth</h1>
<p>The web app isn't built yet. Run <code>npm run build:web</code> and restart the server.</p>
<p>The API is running at <code>/v1</code>.</p>
</body>
</html>
`;

/**
 * Serves the web app at `/`: its files, `index.html` for every app route (a GET of a path that
 * is not under `/v1`, not `/healthz`, and has no file extension), a year of caching for hashed
 * assets, and no caching for `index.html` and the service worker. Unknown files and API paths
 * fall through to the server's JSON 404. If `distDir` does not exist, every app route gets a
 * short page saying how to build it.
 *
 * Register it after the API routes; their specific paths take precedence over its `/*`.
 *
 * @example
 * await registerWeb(app, { distDir: resolve(import.meta.dirname, "../../../apps/web/dist") });
 */
export async function registerWeb(app: FastifyInstance, opts: WebOptions): Promise<void> {
  const { distDir } = opts;
  const built = existsSync(join(distDir, "index.html"));

  await app.register(async (scope) => {
    if (built) {
      // `serve: false`: only the `sendFile` decorator; routing below decides what is a file.
      await scope.register(fastifyStatic, { root: distDir, serve: false, cacheControl: false });
    }

    const sendShell = (reply: FastifyReply) => {
      if (!built)
        return reply
          .code(200)
          .type("text/html; charset=utf-8")
          .header("cache-control", SHELL)
          .send(NOT_BUILT);
      return reply.header("cache-control", SHELL).sendFile("index.html");
    };

    scope.get("/", (_req, reply) => sendShell(reply));
    scope.get("/*", (req, reply) => {
      const path = (req.params as { "*": string })["*"];
      if (isApiPath(path)) return reply.callNotFound();
      if (!hasExtension(path)) return sendShell(reply);
      if (!built) return reply.callNotFound();
      // @fastify/send resolves inside `root` only (no "..", no dotfiles) and calls the 404
      // handler for a missing file.
      return reply.header("cache-control", cacheControlFor(path)).sendFile(path);
    });
  });
}
