import { existsSync, readFileSync } from "node:fs";
import type { TestServer } from "@hearth/server/testing";
import type { Page } from "playwright-core";
import { expect } from "vitest";

/*
 * The calls canary's tools: what the browsers' WebRTC really produced (recorded by wrapping the
 * browser's API, not ours), and the scan of the server's database, WAL and logs for it.
 */

/**
 * Records every SDP and ICE candidate the page's RTCPeerConnections make (wrapping the browser's API,
 * not ours), so the canary knows exactly what must never reach the server.
 */
export const RECORD_WEBRTC = () => {
  const w = window as unknown as { __webrtc: string[] };
  w.__webrtc = [];
  const proto = RTCPeerConnection.prototype;
  const setLocal = proto.setLocalDescription as (
    this: RTCPeerConnection,
    d?: RTCLocalSessionDescriptionInit,
  ) => Promise<void>;
  proto.setLocalDescription = function (this: RTCPeerConnection, d?: RTCLocalSessionDescriptionInit) {
    if (d?.sdp) w.__webrtc.push(d.sdp);
    return (setLocal as (d?: RTCLocalSessionDescriptionInit) => Promise<void>).call(this, d);
  } as typeof proto.setLocalDescription;
  const add = proto.addEventListener;
  Object.defineProperty(proto, "onicecandidate", {
    set(fn: ((e: RTCPeerConnectionIceEvent) => void) | null) {
      const self = this as { __onice?: unknown; __hooked?: boolean };
      self.__onice = fn;
      if (self.__hooked) return;
      self.__hooked = true;
      // One listener per connection: records the candidate, then calls whatever handler is set now.
      add.call(this, "icecandidate", (e: Event) => {
        const c = (e as RTCPeerConnectionIceEvent).candidate;
        if (c?.candidate) w.__webrtc.push(c.candidate);
        (self.__onice as ((e: Event) => void) | null | undefined)?.call(this, e);
      });
    },
    get() {
      return (this as { __onice?: unknown }).__onice ?? null;
    },
    configurable: true,
  });
};

/** The secrets of what a page recorded: fingerprints, ICE credentials, candidates (with addresses). */
export async function webrtcSecrets(page: Page): Promise<string[]> {
  const recorded = await page.evaluate(() => (window as unknown as { __webrtc: string[] }).__webrtc);
  const out = new Set<string>();
  for (const item of recorded) {
    if (item.startsWith("candidate:")) {
      out.add(item);
      continue;
    }
    for (const m of item.matchAll(/^a=fingerprint:\S+ ([0-9A-F:]+)/gm)) out.add(m[1]!);
    for (const m of item.matchAll(/^a=ice-(?:ufrag|pwd):(\S+)/gm)) if (m[1]!.length >= 4) out.add(m[1]!);
    for (const m of item.matchAll(/^a=candidate:(.+)$/gm)) out.add(m[1]!.trim());
  }
  return [...out];
}

/**
 * The canary: the server's database, its WAL and its logs hold none of the pages' SDP, fingerprints,
 * ICE credentials or candidates, in any encoding the signaling used, nor `extra` markers.
 */
export async function expectNoWebrtcSecretsStored(
  t: TestServer,
  pages: readonly Page[],
  extra: readonly string[] = [],
): Promise<void> {
  const secrets = (await Promise.all(pages.map(webrtcSecrets))).flat();
  expect(
    secrets.some((x) => /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/.test(x)),
    "fingerprints recorded",
  ).toBe(true);
  expect(
    secrets.some((x) => x.includes(" typ relay")),
    "relay candidates recorded",
  ).toBe(true);
  const stored = [t.dbPath, `${t.dbPath}-wal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");
  const logs = t.logs();
  for (const secret of secrets) {
    for (const form of [secret, Buffer.from(secret).toString("base64").slice(0, -4)]) {
      expect(stored.includes(form), `stored: ${secret.slice(0, 24)}`).toBe(false);
      expect(logs.includes(form), `logged: ${secret.slice(0, 24)}`).toBe(false);
    }
  }
  for (const marker of ["a=fingerprint", "a=ice-pwd", "typ relay", "v=0\r\no=", ...extra]) {
    expect(stored.includes(marker), `stored: ${marker}`).toBe(false);
    expect(logs.includes(marker), `logged: ${marker}`).toBe(false);
  }
}
