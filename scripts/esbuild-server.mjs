/**
 * How the server is compiled for `npm start` (scripts/build-server.mjs), shared with the benches
 * that measure it compiled the same way (bench/harness.ts): our workspace packages (@hearth/*,
 * shipped as TypeScript sources) are bundled in; every other package stays an import of
 * node_modules, so native modules (better-sqlite3, argon2) load as they are installed.
 */

/** Bare imports stay external unless they name one of our workspace packages. */
export const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@hearth/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** esbuild's options for the server; entry points and output are the caller's. */
export const serverBuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  plugins: [externalDependencies],
  logLevel: "warning",
};
