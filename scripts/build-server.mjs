#!/usr/bin/env node
/**
 * `npm run build:server`: compiles the server and the `hearth` command to plain JavaScript in
 * packages/server/dist (main.js, hearth.js), for production starts with `node` and no TypeScript
 * loader. Our workspace packages (@hearth/*, shipped as TypeScript sources) are bundled in; every
 * other package stays an import of node_modules, so native modules (better-sqlite3, argon2) load
 * as they are installed.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "packages/server/dist");

/** Bare imports stay external unless they name one of our workspace packages. */
const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@hearth/") ? undefined : { path: args.path, external: true },
    );
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    main: join(root, "packages/server/src/main.ts"),
    hearth: join(root, "packages/server/src/cli/hearth.ts"),
  },
  // dist/ sits beside src/, so paths the code finds from its own folder (the web app's build at
  // ../../../apps/web/dist) hold for both.
  outdir,
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  plugins: [externalDependencies],
  logLevel: "warning",
});
process.stdout.write(`Built the server into ${outdir} (start it with: node packages/server/dist/main.js)\n`);
