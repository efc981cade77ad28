#!/usr/bin/env node
/**
 * Copies a new version of the crisis-lines directory (the team's sourced research copy) into the web
 * app, so the app can bundle it and show it offline, and records its checksum in
 * `apps/web/src/data/README.md` (checked by `test/web/crisis-lines.test.ts`).
 *
 * The copy is verbatim (byte for byte). Numbers are never edited here; a correction goes into the
 * research copy (with its source) and is copied again.
 *
 * Usage: `npm run crisis-lines:update -- path/to/crisis-lines.json`
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const target = resolve(root, "apps/web/src/data/crisis-lines.json");
const provenance = resolve(root, "apps/web/src/data/README.md");

if (!process.argv[2]) {
  process.stderr.write("usage: npm run crisis-lines:update -- path/to/crisis-lines.json\n");
  process.exit(2);
}
const source = resolve(process.argv[2]);
if (!existsSync(source)) {
  process.stderr.write(`copy-crisis-lines: ${source} not found; the bundled copy is unchanged.\n`);
  process.exit(1);
}

// Refuse to copy something the app could not read: every line needs a source and a confidence.
const bytes = readFileSync(source);
const data = JSON.parse(bytes.toString("utf8"));
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

copyFileSync(source, target);
const sha = createHash("sha256").update(bytes).digest("hex");
const readme = readFileSync(provenance, "utf8")
  .replace(/crisis-lines\.json sha256: [0-9a-f]{64}/, `crisis-lines.json sha256: ${sha}`)
  .replace(/\(version [^)]*\)/, `(version ${data.version})`);
writeFileSync(provenance, readme);
process.stdout.write(`copy-crisis-lines: ${source} -> ${target} (version ${data.version}, sha256 ${sha})\n`);
