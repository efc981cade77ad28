#!/usr/bin/env node
/**
 * Copies the crisis-lines directory from the shared research folder into the web app, so the app
 * can bundle it and show it offline. The shared folder is not part of a user's clone; it sits
 * beside the clone (`../shared`) on the team's machines and in CI.
 *
 * The copy is verbatim (byte for byte): `test/web/crisis-lines.test.ts` checks that the bundled
 * file still equals the shared one whenever the shared one is present. Numbers are never edited
 * here; a correction goes into the shared directory (with its source) and is copied again.
 *
 * Usage: `node scripts/copy-crisis-lines.mjs [path/to/crisis-lines.json]`
 * (default: `$HEARTH_SHARED_DIR/data/crisis-lines.json`, else `../shared/data/crisis-lines.json`).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sharedDir = process.env.HEARTH_SHARED_DIR ?? resolve(root, "../shared");
const source = resolve(process.argv[2] ?? resolve(sharedDir, "data/crisis-lines.json"));
const target = resolve(root, "apps/web/src/data/crisis-lines.json");

if (!existsSync(source)) {
  process.stderr.write(`copy-crisis-lines: ${source} not found; the bundled copy is unchanged.\n`);
  process.exit(1);
}

// Refuse to copy something the app could not read: every line needs a source and a confidence.
const data = JSON.parse(readFileSync(source, "utf8"));
const problems = [];
if (typeof data.version !== "string") problems.push("missing version");
if (!Array.isArray(data.countries)) problems.push("missing countries");
for (const c of data.countries ?? []) {
  if (typeof c.code !== "string" || typeof c.name !== "string") problems.push(`country without code/name`);
  for (const l of c.lines ?? []) {
    if (typeof l.source !== "string") problems.push(`${c.code}: "${l.name}" has no source`);
    if (l.confidence !== "high" && l.confidence !== "medium" && l.confidence !== "low") {
      problems.push(`${c.code}: "${l.name}" has no confidence`);
    }
  }
}
if (problems.length > 0) {
  process.stderr.write(`copy-crisis-lines: refusing to copy ${source}:\n  ${problems.join("\n  ")}\n`);
  process.exit(1);
}

mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
process.stdout.write(`copy-crisis-lines: ${source} -> ${target} (version ${data.version})\n`);
