import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { Plugin, ResolvedConfig } from "vite";

const MARKER = /\/\* precache-manifest \*\/ \{[^}]*\}/;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** Options of {@link serviceWorkerPlugin}. */
export interface ServiceWorkerPluginOptions {
  /** The service worker source, with a `/* precache-manifest *\/ {...}` placeholder. */
  source: string;
  /** Output file name (served at `/${fileName}`). */
  fileName?: string;
  /** Further worker sources appended, in order, to `source` (one worker file; e.g. push handlers). */
  include?: string[];
}

/**
 * Writes the service worker after the build: the list of every built file (the app shell, its
 * hashed assets, icons, manifest) to precache, and a version hashed from their contents, so a
 * new build installs a new worker and drops the old cache.
 */
export function serviceWorkerPlugin({
  source,
  fileName = "sw.js",
  include = [],
}: ServiceWorkerPluginOptions): Plugin {
  let config: ResolvedConfig | undefined;
  return {
    name: "hearth:service-worker",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle() {
      if (!config) return;
      const outDir = resolve(config.root, config.build.outDir);
      const hash = createHash("sha256");
      const urls: string[] = [];
      for (const file of listFiles(outDir).sort()) {
        const rel = relative(outDir, file).split(sep).join("/");
        if (rel === fileName || rel.endsWith(".map")) continue;
        urls.push(`/${rel}`);
        hash.update(rel).update(readFileSync(file));
      }
      const manifest = { version: hash.digest("hex").slice(0, 16), urls };
      const template = readFileSync(source, "utf8");
      if (!MARKER.test(template)) throw new Error(`${source}: precache-manifest placeholder not found`);
      const parts = [
        template.replace(MARKER, JSON.stringify(manifest)),
        ...include.map((f) => readFileSync(f, "utf8")),
      ];
      writeFileSync(join(outDir, fileName), parts.join("\n"));
    },
  };
}
