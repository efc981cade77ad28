import { describe, expect, it } from "vitest";
import { auditHash, GENESIS, type MakeStorage, range, T1, useStorage } from "./storage-fixtures.ts";

/**
 * The conformance suite of the audit port (`AuditStore`): one unbroken hash chain, also
 * under concurrent writers.
 */
export function runAuditSuite(makeStorage: MakeStorage) {
  describe("audit store", () => {
    const storage = useStorage(makeStorage);

    describe("audit", () => {
      it("chains every row to the previous one from a zero genesis, and pages", async () => {
        const actions = ["login", "invite", "revoke", "export", "logout"];
        const rows = [];
        for (const [i, action] of actions.entries()) {
          rows.push(
            await storage.audit.appendAudit(
              { at: T1, actorId: i === 0 ? null : "alice", action, subject: i === 1 ? "i1" : null },
              (prev) => auditHash(prev, action),
            ),
          );
        }
        expect(rows[0]).toEqual({
          seq: rows[0]?.seq,
          at: T1,
          actorId: null,
          action: "login",
          subject: null,
          prevHash: GENESIS,
          hash: auditHash(GENESIS, "login"),
        });
        for (let i = 1; i < rows.length; i++) {
          expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
          expect(rows[i]?.hash).toBe(auditHash(rows[i - 1]?.hash ?? "", actions[i] ?? ""));
          expect(rows[i]?.seq).toBeGreaterThan(rows[i - 1]?.seq ?? Number.POSITIVE_INFINITY);
        }
        expect(await storage.audit.listAudit(0, 100)).toEqual(rows);
        const seqs = rows.map((r) => r.seq);
        expect(await storage.audit.listAudit(0, 2)).toEqual(rows.slice(0, 2));
        expect(await storage.audit.listAudit(seqs[1] ?? 0, 2)).toEqual(rows.slice(2, 4));
        expect(await storage.audit.listAudit(seqs[4] ?? 0, 2)).toEqual([]);
      });
    });
    describe("concurrency", () => {
      it("chains 20 parallel audit appends into one unbroken chain", async () => {
        const rows = await Promise.all(
          range(20).map((n) =>
            storage.audit.appendAudit({ at: T1, actorId: null, action: `a${n}`, subject: null }, (prev) =>
              auditHash(prev, `a${n}`),
            ),
          ),
        );
        const listed = await storage.audit.listAudit(0, 100);
        expect(listed).toHaveLength(20);
        expect([...listed].sort((a, b) => a.seq - b.seq)).toEqual(listed);
        expect(listed[0]?.prevHash).toBe(GENESIS);
        for (let i = 1; i < listed.length; i++) expect(listed[i]?.prevHash).toBe(listed[i - 1]?.hash);
        for (const r of listed) expect(r.hash).toBe(auditHash(r.prevHash, r.action));
        expect(new Set(listed.map((r) => r.hash)).size).toBe(20);
        expect([...rows].sort((a, b) => a.seq - b.seq)).toEqual(listed);
      });
    });
  });
}
