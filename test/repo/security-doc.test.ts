import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Security check finding 8: docs/security.md's table of what the server stores left out device
// names. Every name a person types that the server keeps (display, device and practice names, each
// a `name` column in the schema) must have its own row in that table, marked as stored.
const root = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(root, "docs", "security.md"), "utf8");
const schema = readFileSync(join(root, "packages", "server", "src", "storage", "schema.ts"), "utf8");

/** The rows of the first table under the "What the server sees" heading: first cell → last cell. */
function storedTable(): Map<string, string> {
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => l.startsWith("| data | server sees | stored |"));
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").map((c) => c.trim());
    rows.set(cells[1]!.toLowerCase(), cells[cells.length - 2]!.toLowerCase());
  }
  return rows;
}

describe("finding 8: security.md lists every name the server stores", () => {
  const rows = storedTable();
  const kinds = [
    { kind: "display names", column: "display_name" },
    { kind: "device names", column: "name" },
    { kind: "practice name", column: "name" },
  ];

  it("the table is there", () => {
    expect(rows.size).toBeGreaterThan(5);
  });

  for (const { kind, column } of kinds) {
    it(`${kind}: a row marked stored, for a column the schema has`, () => {
      expect(schema).toMatch(new RegExp(`\\b${column}: string`));
      const row = [...rows].find(([data]) => data.includes(kind));
      expect(row, `no row for ${kind}`).toBeDefined();
      expect(row![1]).toMatch(/^yes/);
    });
  }
});
