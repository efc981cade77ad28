#!/usr/bin/env node
/**
 * Generates `src/data/time-zones.json`: IANA time zone -> ISO 3166 country code, so the crisis
 * screen can guess the country the device is in (`Intl...timeZone`) without asking a server.
 *
 * Source: the system tzdata (`zone.tab` for zones, `tzdata.zi` links for legacy names such as
 * `Asia/Calcutta`, which Chromium still reports). Run: `node apps/web/scripts/make-time-zones.mjs
 * [/usr/share/zoneinfo]`. The output is committed; do not edit it by hand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const zoneinfo = process.argv[2] ?? "/usr/share/zoneinfo";
const target = resolve(here, "../src/data/time-zones.json");

/** @type {Record<string, string>} */
const zones = {};
for (const line of readFileSync(resolve(zoneinfo, "zone.tab"), "utf8").split("\n")) {
  if (line.startsWith("#") || line.trim() === "") continue;
  const [country, , zone] = line.split("\t");
  if (country && zone) zones[zone] = country;
}
const zi = readFileSync(resolve(zoneinfo, "tzdata.zi"), "utf8");
const version = /^# version (\S+)/m.exec(zi)?.[1] ?? "unknown";
// Links never override a zone that zone.tab names itself (e.g. Europe/Oslo stays NO even where
// tzdata makes it a link to Europe/Berlin).
for (const line of zi.split("\n")) {
  if (!line.startsWith("L ")) continue;
  const [, targetZone, alias] = line.split(" ");
  if (!targetZone || !alias || alias in zones || alias.startsWith("Etc/")) continue;
  const country = zones[targetZone];
  if (country) zones[alias] = country;
}
const sorted = Object.fromEntries(Object.entries(zones).sort(([a], [b]) => (a < b ? -1 : 1)));
const out = {
  generated: `by apps/web/scripts/make-time-zones.mjs from tzdata ${version}; do not edit`,
  zones: sorted,
};
writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
process.stdout.write(
  `make-time-zones: ${Object.keys(sorted).length} zones (tzdata ${version}) -> ${target}\n`,
);
