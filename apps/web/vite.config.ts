import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { bundleReportPlugin } from "./build/bundle-report-plugin.ts";
import { serviceWorkerPlugin } from "./build/service-worker-plugin.ts";

const here = import.meta.dirname;

/** Builds the web app into apps/web/dist, which the server serves at `/`. */
export default defineConfig({
  root: here,
  plugins: [
    react(),
    serviceWorkerPlugin({
      source: resolve(here, "sw/service-worker.js"),
      include: [resolve(here, "sw/push.js")],
    }),
    bundleReportPlugin(),
  ],
  build: {
    outDir: resolve(here, "dist"),
    emptyOutDir: true,
    // Budget check happens in the browser test; report sizes here for humans.
    reportCompressedSize: true,
    sourcemap: false,
  },
  server: {
    // `vite` dev server for UI work: the API is the real server on :8080.
    proxy: { "/v1": { target: "http://localhost:8080", ws: true }, "/healthz": "http://localhost:8080" },
  },
});
