import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import type { KeysService } from "./keys-service.ts";

/** Identity and archive keys, MLS key packages and group state, device-transfer mailboxes. */
export async function keysRoutes(app: FastifyInstance, d: { keys: KeysService }) {
  defineRoute(app, "setIdentityKey", async ({ session, body }) =>
    d.keys.setIdentity(session, body.identityKey),
  );
  defineRoute(app, "userKeys", async ({ session, params }) => d.keys.userKeys(session, params.id));
  defineRoute(app, "uploadKeyPackages", async ({ session, body }) =>
    d.keys.upload(session, body.keyPackages, body.lastResort),
  );
  defineRoute(app, "keyPackageCount", async ({ session }) => d.keys.count(session));
  defineRoute(app, "claimKeyPackages", async ({ session, body }) => d.keys.claim(session, body.userIds));
  defineRoute(app, "setArchiveKey", async ({ session, body }) =>
    d.keys.setArchiveKey(session, body.archiveKey),
  );
  defineRoute(app, "groupState", async ({ session, params }) => d.keys.groupState(session, params.id));

  defineRoute(app, "openTransfer", async ({ session }) => d.keys.openTransfer(session));
  defineRoute(app, "putTransfer", async ({ session, params, body }) =>
    d.keys.putTransfer(session, params.id, body.body),
  );
  defineRoute(app, "readTransfer", async ({ session, params }) => d.keys.readTransfer(session, params.id));
  defineRoute(app, "closeTransfer", async ({ session, params }) => d.keys.closeTransfer(session, params.id));
}
