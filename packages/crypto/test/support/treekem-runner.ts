/** Shared TreeKEM vector check, split over two test files so CI's two workers share the load. */
import type { CiphersuiteImpl, RatchetTree } from "ts-mls";
import { expect } from "vitest";
import { hex } from "./mls-vectors.ts";
import {
  applyUpdatePath,
  applyUpdatePathSecret,
  createUpdatePath,
  decode,
  deriveSecret,
  type GroupContext,
  getCommitSecret,
  getHpkePublicKey,
  leafToNodeIndex,
  nodeTypes,
  type PrivateKeyPath,
  protocolVersions,
  ratchetTreeDecoder,
  toLeafIndex,
  treeHashRoot,
  updatePathDecoder,
} from "./ts-mls-internals.ts";

/** One case of treekem.json. */
export interface TreeKemCase {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: {
    index: number;
    encryption_priv: string;
    signature_priv: string;
    path_secrets: { node: number; path_secret: string }[];
  }[];
  update_paths: {
    sender: number;
    update_path: string;
    path_secrets: (string | null)[];
    commit_secret: string;
    tree_hash_after: string;
  }[];
}

function decodeTree(bytes: string): RatchetTree {
  const tree = decode(ratchetTreeDecoder, hex(bytes));
  if (tree === undefined) throw new Error("ratchet_tree did not decode");
  return tree;
}

/**
 * The same private keys are imported again for every UpdatePath a leaf decrypts; with P-521 each
 * import costs ~10 ms of pure-JS arithmetic. Memoizing this pure function keeps the suite fast
 * without changing what is computed.
 */
function withImportCache(impl: CiphersuiteImpl): CiphersuiteImpl {
  const cache = new Map<string, ReturnType<CiphersuiteImpl["hpke"]["importPrivateKey"]>>();
  const hpke = Object.create(impl.hpke) as CiphersuiteImpl["hpke"];
  hpke.importPrivateKey = (k: Uint8Array) => {
    const id = Array.from(k).join(",");
    let p = cache.get(id);
    if (p === undefined) {
      p = impl.hpke.importPrivateKey(k);
      cache.set(id, p);
    }
    return p;
  };
  return { ...impl, hpke };
}

export async function runTreeKemCase(x: TreeKemCase, plainImpl: CiphersuiteImpl): Promise<void> {
  const impl = withImportCache(plainImpl);
  const tree = decodeTree(x.ratchet_tree);
  const gc: GroupContext = {
    version: protocolVersions.mls10,
    cipherSuite: x.cipher_suite,
    groupId: hex(x.group_id),
    epoch: BigInt(x.epoch),
    treeHash: await treeHashRoot(tree, impl.hash),
    confirmedTranscriptHash: hex(x.confirmed_transcript_hash),
    extensions: [],
  };

  // Every private key given must match the public key at its position in the tree; the keys
  // derived from the path secrets form each leaf's private key path.
  const privatePaths: PrivateKeyPath[] = [];
  for (const leaf of x.leaves_private) {
    const leafNode = leafToNodeIndex(toLeafIndex(leaf.index));
    const node = tree[leafNode];
    if (node?.nodeType !== nodeTypes.leaf) throw new Error(`no leaf at ${leaf.index}`);
    const priv = await impl.hpke.importPrivateKey(hex(leaf.encryption_priv));
    const pub = await impl.hpke.importPublicKey(node.leaf.hpkePublicKey);
    const probe = await impl.hpke.seal(pub, new Uint8Array([1]), new Uint8Array());
    expect(await impl.hpke.open(priv, probe.enc, probe.ct, new Uint8Array())).toEqual(new Uint8Array([1]));
    const privateKeys: Record<number, Uint8Array> = { [leafNode]: hex(leaf.encryption_priv) };
    for (const ps of leaf.path_secrets) {
      const pair = await impl.hpke.deriveKeyPair(await deriveSecret(hex(ps.path_secret), "node", impl.kdf));
      const treeNode = tree[ps.node];
      if (treeNode === undefined) throw new Error(`blank node ${ps.node}`);
      expect(getHpkePublicKey(treeNode)).toEqual(await impl.hpke.exportPublicKey(pair.publicKey));
      privateKeys[ps.node] = await impl.hpke.exportPrivateKey(pair.privateKey);
    }
    privatePaths.push({ leafIndex: leaf.index, privateKeys });
  }

  for (const up of x.update_paths) {
    const path = decode(updatePathDecoder, hex(up.update_path));
    if (path === undefined) throw new Error("update_path did not decode");
    const sender = toLeafIndex(up.sender);

    // Merging the path must be parent-hash valid and give tree_hash_after.
    const after = decodeTree(x.ratchet_tree);
    await applyUpdatePath(after, sender, path, impl.hash);
    const hashAfter = await treeHashRoot(after, impl.hash);
    expect(hashAfter).toEqual(hex(up.tree_hash_after));
    const gcAfter: GroupContext = { ...gc, treeHash: hashAfter };

    // Every other member decrypts its path secret and derives the same commit secret.
    for (const pp of privatePaths) {
      if (pp.leafIndex === up.sender) {
        expect(up.path_secrets[pp.leafIndex]).toBeNull();
        continue;
      }
      const got = await applyUpdatePathSecret(tree, pp, sender, gcAfter, path, [], impl);
      expect(got.pathSecret).toEqual(hex(up.path_secrets[pp.leafIndex] ?? ""));
      expect(await getCommitSecret(tree, got.nodeIndex, got.pathSecret, impl.kdf)).toEqual(
        hex(up.commit_secret),
      );
    }

    // The sender now makes a fresh UpdatePath over the merged tree; everyone else must agree on it.
    const senderLeaf = x.leaves_private.find((l) => l.index === up.sender);
    if (senderLeaf === undefined) throw new Error("sender has no private state");
    const base = structuredClone(after);
    const mutable = structuredClone(after);
    const [newTree, newPath, newSecrets] = await createUpdatePath(
      base,
      mutable,
      sender,
      gcAfter,
      hex(senderLeaf.signature_priv),
      impl,
    );
    const rootSecret = newSecrets.at(-1);
    if (rootSecret === undefined) throw new Error("no path secrets created");
    const expectedCommit = await deriveSecret(rootSecret.secret, "path", impl.kdf);
    const gcNew: GroupContext = {
      ...gcAfter,
      treeHash: await treeHashRoot(newTree, impl.hash),
      epoch: gc.epoch + 1n,
    };
    for (const pp of privatePaths) {
      if (pp.leafIndex === up.sender) continue;
      const got = await applyUpdatePathSecret(base, pp, sender, gcNew, newPath, [], impl);
      expect(await getCommitSecret(base, got.nodeIndex, got.pathSecret, impl.kdf)).toEqual(expectedCommit);
    }
  }
}
