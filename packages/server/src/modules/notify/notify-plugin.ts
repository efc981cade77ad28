import { UnsubscribeParamsSchema } from "@hearth/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { EmailNotifier } from "./email-notifier.ts";

/** The notify module's routes: my notification settings, and one-click unsubscribe (API and pages). */
export async function notifyPlugin(app: FastifyInstance, d: { notifier: EmailNotifier; audit: AuditLog }) {
  // Mail clients send RFC 8058's one-click POST as a form (`List-Unsubscribe=One-Click`), and so does
  // the confirm page; the body says nothing the path does not, so it is read and dropped. Only in
  // this plugin's scope.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 1024 },
    (_req, _body, done) => done(null, {}),
  );

  defineRoute(app, "notificationSettings", async ({ session }) => d.notifier.settings(session.user.id));
  defineRoute(app, "updateNotificationSettings", async ({ session, body }) => {
    // A digest suits a caseload; a patient gets each batch as it falls due.
    if (body.emailDigest && session.user.role === "patient")
      throw new HttpRefusal("forbidden", "body.emailDigest");
    const saved = await d.notifier.updateSettings(session.user.id, body);
    await d.audit.record("notify.settings", session.user.id, null);
    return saved;
  });
  defineRoute(app, "unsubscribe", async ({ params }) => {
    const userId = await d.notifier.unsubscribe(params.token);
    if (!userId) throw new HttpRefusal("not_found");
    await d.audit.record("notify.unsubscribe", userId, null);
  });

  // The human side of the same link: a GET never unsubscribes (link scanners follow links), it asks.
  const limit = { rateLimit: { max: app.routeSupport.limits.auth, timeWindow: "1 minute" } };
  const confirmPage = async (req: { params: unknown }, reply: FastifyReply) => {
    const p = UnsubscribeParamsSchema.safeParse(req.params);
    if (!p.success) return page(reply, 404, "This link is not valid.", "");
    return page(
      reply,
      200,
      "Stop notification emails?",
      `<p>You will no longer get an email when a message waits unread. You can turn emails on again in Hearth's settings.</p>
<form method="post" action="/unsubscribe/${p.data.token}"><button type="submit">Stop emails</button></form>`,
    );
  };
  app.get("/unsubscribe/:token", { config: limit }, confirmPage);
  app.get("/v1/unsubscribe/:token", { config: limit }, confirmPage);
  app.post("/unsubscribe/:token", { config: limit }, async (req, reply) => {
    const p = UnsubscribeParamsSchema.safeParse(req.params);
    const userId = p.success ? await d.notifier.unsubscribe(p.data.token) : undefined;
    if (!userId) return page(reply, 404, "This link is not valid.", "<p>It may be old, or already used.</p>");
    await d.audit.record("notify.unsubscribe", userId, null);
    return page(reply, 200, "Emails stopped", "<p>You will get no more notification emails from Hearth.</p>");
  });
}

/** A minimal, self-contained page (no script, no style: the CSP allows neither inline). */
function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Hearth</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`,
    );
}
