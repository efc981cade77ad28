import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { vectorChecksumProblems, vectorDir } from "../support/mls-vectors.ts";

describe("the repository's copy of the official MLS vectors", () => {
  it("holds all 16 files, unchanged since they were copied (SHA256SUMS)", () => {
    expect(readdirSync(vectorDir).filter((f) => f.endsWith(".json"))).toHaveLength(16);
    expect(vectorChecksumProblems()).toEqual([]);
  });

  it("lives inside the repository, not in a folder beside the clone", () => {
    expect(vectorDir).toContain("/packages/crypto/test/vectors/mls/");
  });
});
