import { describe } from "vitest";
import { planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import { runTreeKemCase, type TreeKemCase } from "../support/treekem-runner.ts";

// Suite 5 (P-521, pure-JS arithmetic, ~half the CPU time) runs in treekem-p521.test.ts so that
// vitest can schedule the two halves on different workers.
const plan = await planSuiteCases<TreeKemCase>("treekem.json", (suite) => suite !== 5);
describe("MLS vectors: treekem.json (all suites but 5)", () =>
  registerSuiteCases(plan, runTreeKemCase, 60_000));
