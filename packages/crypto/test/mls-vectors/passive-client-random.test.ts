import { describe } from "vitest";
import { planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import { type PassiveClientCase, runPassiveClientCase } from "../support/passive-client-runner.ts";

const plan = await planSuiteCases<PassiveClientCase>("passive-client-random.json");
describe("MLS vectors: passive-client-random.json", () =>
  registerSuiteCases(plan, runPassiveClientCase, 120_000));
