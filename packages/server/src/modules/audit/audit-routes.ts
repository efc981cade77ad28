import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { AuditLog } from "./audit-log.ts";
import type { AuditStore } from "./audit-store.ts";

/** The admin's view of the audit log: entries (reading them is audited too) and the chain check. */
export async function auditRoutes(app: FastifyInstance, d: { audit: AuditLog; store: AuditStore }) {
  defineRoute(app, "audit", async ({ session, query }) => {
    await d.audit.record("audit.read", session.user.id, null);
    const rows = await d.store.listAudit(query.after, query.limit);
    return {
      entries: rows.map((r) => ({
        seq: r.seq,
        at: r.at,
        actorId: r.actorId,
        action: r.action,
        subject: r.subject,
        hash: r.hash,
      })),
    };
  });
  defineRoute(app, "verifyAudit", async () => d.audit.verify());
}
