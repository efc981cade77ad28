// Prints vitest's totals as one plain closing line ("N passed, N failed, N skipped") for CI logs.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-artifacts/vitest.json";
let r;
try {
  r = JSON.parse(readFileSync(file, "utf8"));
} catch {
  console.log("Tests: 0 passed, 1 failed (no vitest report: lint or typecheck failed before the tests ran)");
  process.exit(0);
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
