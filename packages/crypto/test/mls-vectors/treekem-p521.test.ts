import { describe } from "vitest";
import { planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import { runTreeKemCase, type TreeKemCase } from "../support/treekem-runner.ts";

// The other suites run in treekem.test.ts; see there for why the file is split.
const plan = await planSuiteCases<TreeKemCase>("treekem.json", (suite) => suite === 5);
describe("MLS vectors: treekem.json (suite 5, P-521)", () =>
  registerSuiteCases(plan, runTreeKemCase, 60_000));
