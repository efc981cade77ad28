import type { Commit, MlsFramedMessage } from "ts-mls";
import { contentTypes, defaultProposalTypes, proposalOrRefTypes, wireformats } from "ts-mls";

/**
 * RFC 9420 §12.4 requires an UpdatePath in any commit that covers a Remove or Update. ts-mls
 * 2.0.0-rc.10 only requires it for two or more of them (1.6.4 had it right), so a single-Remove
 * commit ships without a path, its commit secret is all zeros, and the removed device can derive
 * the next epoch. We therefore (1) send every commit as a PublicMessage so its shape is visible,
 * (2) call an epoch "tainted" when it was entered by a pathless commit covering a Remove, an
 * Update or a proposal by reference (or a path with no nodes, i.e. a one-member tree, where ts-mls
 * also uses a zero commit secret), carrying taint over pathless Add-only commits, (3) never send or
 * accept application data in a tainted epoch, and (4) follow our own tainting commit with an
 * empty, path-carrying commit. See docs/crypto-notes.md.
 */
export function commitTaints(commit: Commit, wasTainted: boolean): boolean {
  // A path with no nodes (one-member tree) still yields a zero commit secret in ts-mls: the
  // epoch is then only as secret as the previous one.
  if (commit.path !== undefined) return commit.path.nodes.length === 0 && wasTainted;
  const sensitive = commit.proposals.some(
    (p) =>
      p.proposalOrRefType === proposalOrRefTypes.reference ||
      p.proposal.proposalType === defaultProposalTypes.remove ||
      p.proposal.proposalType === defaultProposalTypes.update,
  );
  return sensitive || wasTainted || commit.proposals.length === 0;
}

/** The commit a message carries, when it is a PublicMessage commit (Hearth sends commits only so). */
export function commitOf(m: MlsFramedMessage): Commit | undefined {
  if (m.wireformat !== wireformats.mls_public_message) return undefined;
  const c = m.publicMessage.content;
  return c.contentType === contentTypes.commit ? c.commit : undefined;
}
