import { describe, expect, it } from "vitest";
import { loadVectors } from "../support/mls-vectors.ts";
import { left, nodeWidth, parent, right, root, sibling, toNodeIndex } from "../support/ts-mls-internals.ts";

interface TreeMathCase {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: (number | null)[];
  right: (number | null)[];
  parent: (number | null)[];
  sibling: (number | null)[];
}

const cases = loadVectors<TreeMathCase>("tree-math.json");

/** A null in the vector means "no such node": the library must refuse rather than answer. */
function check(expected: number | null, compute: () => number): void {
  if (expected === null) expect(compute).toThrow();
  else expect(compute()).toBe(expected);
}

describe("MLS vectors: tree-math.json (suite-independent)", () => {
  for (const [index, t] of cases.entries()) {
    it(`tree-math.json #${index} (${t.n_leaves} leaves)`, () => {
      expect(nodeWidth(t.n_leaves)).toBe(t.n_nodes);
      expect(root(t.n_leaves)).toBe(t.root);
      for (const [i, e] of t.left.entries()) check(e, () => left(toNodeIndex(i)));
      for (const [i, e] of t.right.entries()) check(e, () => right(toNodeIndex(i)));
      for (const [i, e] of t.parent.entries()) check(e, () => parent(toNodeIndex(i), t.n_leaves));
      for (const [i, e] of t.sibling.entries()) check(e, () => sibling(toNodeIndex(i), t.n_leaves));
    });
  }
  it("coverage: tree-math.json", () => {
    console.info(`tree-math.json: ${cases.length}/${cases.length} cases run`);
    expect(cases.length).toBeGreaterThan(0);
  });
});
