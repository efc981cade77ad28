import type { CiphersuiteImpl, Proposal, RatchetTree } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  addLeafNodeMutable,
  decode,
  defaultProposalTypes,
  encode,
  proposalDecoder,
  ratchetTreeDecoder,
  ratchetTreeEncoder,
  removeLeafNodeMutable,
  toLeafIndex,
  treeHashRoot,
  updateLeafNodeMutable,
} from "../support/ts-mls-internals.ts";

interface TreeOperationsCase {
  cipher_suite: number;
  tree_before: string;
  proposal: string;
  proposal_sender: number;
  tree_after: string;
  tree_hash_before: string;
  tree_hash_after: string;
}

function apply(tree: RatchetTree, p: Proposal, sender: number): void {
  switch (p.proposalType) {
    case defaultProposalTypes.add:
      if ("add" in p) addLeafNodeMutable(tree, p.add.keyPackage.leafNode);
      return;
    case defaultProposalTypes.update:
      if ("update" in p) updateLeafNodeMutable(tree, p.update.leafNode, toLeafIndex(sender));
      return;
    case defaultProposalTypes.remove:
      if ("remove" in p) removeLeafNodeMutable(tree, toLeafIndex(p.remove.removed));
      return;
    default:
      // The vectors only carry Add, Update and Remove (test-vectors.md, "Tree Operations").
      throw new Error(`unexpected proposal type ${p.proposalType}`);
  }
}

async function run(x: TreeOperationsCase, impl: CiphersuiteImpl): Promise<void> {
  const tree = decode(ratchetTreeDecoder, hex(x.tree_before));
  if (tree === undefined) throw new Error("tree_before did not decode");
  expect(await treeHashRoot(tree, impl.hash)).toEqual(hex(x.tree_hash_before));
  const proposal = decode(proposalDecoder, hex(x.proposal));
  if (proposal === undefined) throw new Error("proposal did not decode");
  apply(tree, proposal, x.proposal_sender);
  expect(encode(ratchetTreeEncoder, tree)).toEqual(hex(x.tree_after));
  expect(await treeHashRoot(tree, impl.hash)).toEqual(hex(x.tree_hash_after));
}

const plan = await planSuiteCases<TreeOperationsCase>("tree-operations.json");
describe("MLS vectors: tree-operations.json", () => registerSuiteCases(plan, run));
