#!/usr/bin/env node
/**
 * Draws Hearth's icons: `public/icons/icon.svg` (the source) and the PNGs a manifest and iOS need,
 * rendered from that SVG by the system Chromium (no downloads). The outputs are committed; run
 * `node apps/web/scripts/make-icons.mjs` after changing the drawing below.
 */
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const out = resolve(dirname(fileURLToPath(import.meta.url)), "../public/icons");

const TEAL = "#2b6760";
const CREAM = "#f6f4f0";
// A soft flame over a hearth line, drawn on a 32-unit grid (same shape as the in-app mark).
const FLAME =
  "M16 6c1.2 3.4 5.8 6.2 5.8 11.3A5.8 5.8 0 0 1 16 23.1a5.8 5.8 0 0 1-5.8-5.8c0-2.7 1.5-4.2 2.6-5.6.3 1.9 1.2 3 2.4 3.4-.6-3.3.1-6.3.8-9.1z";

/** @param {{ rounded: boolean, scale: number }} o */
function svg({ rounded, scale }) {
  // scale < 1 shrinks the drawing toward the centre (maskable icons keep a safe zone).
  const t = (32 * (1 - scale)) / 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <title>Hearth</title>
  <rect width="32" height="32" rx="${rounded ? 7 : 0}" fill="${TEAL}"/>
  <g transform="translate(${t} ${t}) scale(${scale})" fill="${CREAM}">
    <path d="${FLAME}"/>
    <rect x="9" y="25" width="14" height="2" rx="1"/>
  </g>
</svg>
`;
}

const icon = svg({ rounded: true, scale: 1 });
writeFileSync(resolve(out, "icon.svg"), icon);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage();
  /** @param {string} source @param {number} size @param {string} name */
  const render = async (source, size, name) => {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${source.replace("<svg ", `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    await page.screenshot({ path: resolve(out, name), omitBackground: true });
  };
  await render(icon, 192, "icon-192.png");
  await render(icon, 512, "icon-512.png");
  await render(svg({ rounded: false, scale: 0.72 }), 512, "icon-maskable-512.png");
  await render(svg({ rounded: false, scale: 0.85 }), 180, "apple-touch-icon.png");
} finally {
  await browser.close();
}
process.stdout.write(`make-icons: wrote icons to ${out}\n`);
