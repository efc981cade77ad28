import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import helmet from "@fastify/helmet";
import { registerWeb, securityHeaders } from "@hearth/server";
import { REQUIRE_SERVICES } from "@hearth/server/testing";
import axe from "axe-core";
import Fastify, { type FastifyInstance } from "fastify";
import { type Browser, chromium, type Page } from "playwright-core";
import { describe } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** Debian's Chromium; override with HEARTH_CHROMIUM. */
export const CHROMIUM_PATH = process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium";

/**
 * `describe` for a browser suite: runs when Chromium is installed; otherwise fails under
 * HEARTH_REQUIRE_SERVICES=1 (CI) and is skipped, saying why, elsewhere.
 */
export function describeWithBrowser(name: string, fn: () => void) {
  if (existsSync(CHROMIUM_PATH)) return describe(name, fn);
  if (REQUIRE_SERVICES) {
    return describe(name, () => {
      throw new Error(`Chromium is required (HEARTH_REQUIRE_SERVICES=1) but ${CHROMIUM_PATH} does not exist`);
    });
  }
  return describe.skip(`${name} — skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`, fn);
}

/** Launches the system Chromium headless, quiet (no background network, no first-run UI). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // A fake microphone and camera that need no permission prompt (voice notes, calls).
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  });
}

/** A fresh production build of the web app in a temporary directory. */
export interface WebBuild {
  distDir: string;
  /** Deletes the build. */
  remove(): void;
}

/** Builds apps/web with Vite (programmatically) into a temporary directory. */
export async function buildWebApp(): Promise<WebBuild> {
  const { build } = await import("vite");
  const outDir = mkdtempSync(join(tmpdir(), "hearth-web-"));
  // Vitest sets NODE_ENV=test, and Vite would then make a development build (development React,
  // no service worker registration). Build exactly what `npm run build:web` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: join(ROOT, "apps/web/vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return { distDir: outDir, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/**
 * A Fastify server with only the web app on it, behind the same security headers as the real
 * server, listening on a free loopback port.
 */
export async function startWebServer(distDir: string): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  await app.register(helmet, securityHeaders(false));
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: "not_found" }));
  app.get("/healthz", async () => ({ ok: true }));
  await registerWeb(app, { distDir });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, url };
}

/** One accessibility problem reported by axe-core. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.0-2.2 A/AA rules) in the page; returns the serious and critical findings. */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  // Colours fade for 150 ms (buttons): right after a theme switch, a busy machine could let axe read
  // contrast half-way through the fade, and in a page the browser keeps in the background the fade
  // does not advance at all. With reduced motion the app has no fades (a running one ends at once);
  // anything else finite gets at most a second.
  await page.emulateMedia({ reducedMotion: "reduce" });
  await page.evaluate(() => {
    const finite = document
      .getAnimations()
      .filter((a) =>
        Number.isFinite(Number(a.effect?.getComputedTiming().endTime ?? Number.POSITIVE_INFINITY)),
      );
    return Promise.race([
      Promise.all(finite.map((a) => a.finished.catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 1000)),
    ]);
  });
  // Evaluated through the DevTools protocol, not injected as a <script>: the page's CSP would
  // (rightly) block an inline script.
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(
          ctx: Document,
          opts: object,
        ): Promise<{
          violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
        }>;
      };
    };
    const result = await w.axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
      },
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? "",
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")),
      }));
  });
}

/** A file to hand to the page as a user would (drop or paste). */
export interface PageFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/**
 * Drops `file` on the element matching `selector`, as dragging it from the desktop does
 * (`dragenter`, `dragover`, then `drop` with a real `DataTransfer` holding a `File`).
 */
export async function dropFile(page: Page, selector: string, file: PageFile): Promise<void> {
  await page.evaluate(
    ({ selector, name, type, b64 }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      const target = document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      for (const kind of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    },
    { selector, name: file.name, type: file.type, b64: Buffer.from(file.bytes).toString("base64") },
  );
}

/**
 * Pastes `file` (and `text`, when given, as a word processor's copy carries both) into the matching
 * element. `handled`: the page took the paste over (prevented the browser's own).
 */
export async function pasteFile(
  page: Page,
  selector: string,
  file: PageFile,
  text?: string,
): Promise<{ handled: boolean }> {
  const handled = await page.evaluate(
    ({ selector, name, type, b64, text }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      if (text !== undefined) dt.setData("text/plain", text);
      const target = document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      const event = new ClipboardEvent("paste", { bubbles: true, cancelable: true, clipboardData: dt });
      target.dispatchEvent(event);
      return event.defaultPrevented;
    },
    { selector, name: file.name, type: file.type, b64: Buffer.from(file.bytes).toString("base64"), text },
  );
  return { handled };
}

/** A small, valid one-page PDF showing `text` (Helvetica), built by hand with a correct xref table. */
export function minimalPdf(text: string): Uint8Array {
  const safe = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const stream = `BT /F1 18 Tf 40 100 Td (${safe}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}
