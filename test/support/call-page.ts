import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { seriousAxeFindings } from "./browser.ts";
import { DESKTOP, PHONE } from "./web-practice.ts";

/*
 * The call screen as the browser tests read it: its documented test hooks (data attributes the call
 * panel keeps current) and its screenshots with axe.
 */

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

/** The call panel. */
export const panel = (page: Page) => page.getByTestId("call-panel");
/** One of the call panel's data attributes (`data-phase`, `data-reason`, …). */
export const attr = async (page: Page, name: string) => (await panel(page).getAttribute(name)) ?? "";
/** A numeric data attribute of the call panel (`data-inbound-bytes`, `data-connected-links`, …). */
export const num = async (page: Page, name: string) => Number(await attr(page, name));

/** Screenshots at both sizes in both themes, and no serious axe findings in any of them. */
export async function lookAtCall(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize();
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [label, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SCREENSHOTS}/calls-${name}-${label}-${colorScheme}.png` });
      expect(await seriousAxeFindings(page), `${name} ${label} ${colorScheme}`).toEqual([]);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (size) await page.setViewportSize(size);
}

/**
 * Passes the page's WebSocket through unchanged, noting whether the server has told this connection
 * it is synced: a ring is live only, so a call test starts once every device is connected. Install
 * before the page (re)loads.
 */
export async function watchSync(page: Page): Promise<() => boolean> {
  let synced = false;
  await page.routeWebSocket(/\/v1\/ws$/, (ws) => {
    synced = false;
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      const text = typeof m === "string" ? m : m.toString("utf8");
      if (text.includes('"type":"synced"')) synced = true;
      ws.send(m);
    });
    server.onClose(() => {
      synced = false;
    });
  });
  return () => synced;
}
