import { gzipSync } from "node:zlib";
import type { Plugin, Rolldown } from "vite";

type OutputChunk = Rolldown.OutputChunk;

/** The initial JavaScript budget of the issue ("under 200 KB gzipped"); test/browser/shell.test.ts enforces it. */
export const INITIAL_JS_BUDGET_KB = 200;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Prints, after a build, what a first visit downloads: the entry chunk and everything it imports
 * statically (gzipped), against the budget, then the chunks loaded later (the SDK and end-to-end
 * encryption load only once someone signs in). docs/benchmarks.md records the latest numbers.
 */
export function bundleReportPlugin(): Plugin {
  return {
    name: "hearth-bundle-report",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === "chunk");
      const byName = new Map(chunks.map((c) => [c.fileName, c]));
      const initial = new Set<string>();
      const visit = (file: string) => {
        if (initial.has(file)) return;
        initial.add(file);
        for (const imported of byName.get(file)?.imports ?? []) visit(imported);
      };
      for (const c of chunks) if (c.isEntry) visit(c.fileName);
      const size = (c: OutputChunk) => gzipSync(c.code).length;
      let first = 0;
      let later = 0;
      for (const c of chunks) {
        if (initial.has(c.fileName)) first += size(c);
        else later += size(c);
      }
      const lazy = chunks.filter((c) => !initial.has(c.fileName)).length;
      this.info(
        `initial JavaScript ${kb(first)} gzipped (budget ${INITIAL_JS_BUDGET_KB} KB); ` +
          `loaded after sign-in ${kb(later)} gzipped in ${lazy} chunk${lazy === 1 ? "" : "s"}`,
      );
    },
  };
}
