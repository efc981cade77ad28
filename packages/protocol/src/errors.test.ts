import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERRORS } from "./errors.ts";

describe("error registry", () => {
  const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");

  it("documents every code in docs/protocol.md with its HTTP status", () => {
    for (const code of ERROR_CODES) {
      const row = doc.split("\n").find((l) => new RegExp(`^\\| \`${code}\` +\\|`).test(l));
      expect(row, `docs/protocol.md has no row for ${code}`).toBeDefined();
      expect(row).toMatch(new RegExp(`\\| ${ERRORS[code].status} +\\|`));
    }
  });

  it("documents no code that does not exist", () => {
    const table = doc.slice(doc.indexOf("## Error codes"));
    const documented = [...table.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...ERROR_CODES].sort());
  });
});
