#!/usr/bin/env node
/**
 * `npm run build:server`: compiles the server and the `hearth` command to plain JavaScript in
 * packages/server/dist (main.js, hearth.js), for production starts with `node` and no TypeScript
 * loader. What is bundled and what stays an import of node_modules: scripts/esbuild-server.mjs.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { serverBuildOptions } from "./esbuild-server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "packages/server/dist");

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    main: join(root, "packages/server/src/main.ts"),
    hearth: join(root, "packages/server/src/cli/hearth.ts"),
  },
  // dist/ sits beside src/, so paths the code finds from its own folder (the web app's build at
  // ../../../apps/web/dist) hold for both.
  outdir,
  ...serverBuildOptions,
  splitting: true,
  sourcemap: true,
});
process.stdout.write(`Built the server into ${outdir} (start it with: node packages/server/dist/main.js)\n`);
