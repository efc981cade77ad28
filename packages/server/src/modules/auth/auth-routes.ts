import type { DeviceSummary, MeResponse } from "@hearth/protocol";
import type { FastifyInstance } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { PresenceService } from "../delivery/presence-service.ts";
import type { AuthService, Session } from "./auth-service.ts";
import type { AuthStore } from "./auth-store.ts";

/** What the auth routes use. */
export interface AuthRoutesDeps {
  auth: AuthService;
  store: AuthStore;
  presence: PresenceService;
}

function meOf(s: Session): MeResponse {
  return {
    userId: s.user.id,
    deviceId: s.device.id,
    practiceId: s.user.practiceId,
    role: s.user.role,
    displayName: s.user.displayName,
    login: s.user.login,
    showPresence: s.user.showPresence,
  };
}

/** First-run setup, sign-in and out, the screen lock, my account and devices, invites. */
export async function authRoutes(app: FastifyInstance, d: AuthRoutesDeps) {
  defineRoute(app, "setupStatus", async () => ({ needed: (await d.store.countPractices()) === 0 }));
  defineRoute(app, "setup", async ({ body }) => d.auth.setup(body));
  defineRoute(app, "login", async ({ body }) => d.auth.login(body));
  defineRoute(app, "logout", async ({ session }) => d.auth.logout(session));
  defineRoute(app, "unlock", async ({ session, body }) => d.auth.unlock(session, body.password));

  defineRoute(app, "me", async ({ session }) => meOf(session));
  defineRoute(app, "updateSettings", async ({ session: s, body }) => {
    await d.store.updateUser(s.user.id, body);
    const user = await d.store.getUser(s.user.id);
    if (!user) throw new HttpRefusal("not_found");
    if (body.showPresence !== undefined && body.showPresence !== s.user.showPresence) {
      await d.presence.visibilityChanged(user.id, body.showPresence);
    }
    return meOf({ user, device: s.device });
  });

  defineRoute(app, "devices", async ({ session: s }) =>
    (await d.store.listDevices(s.user.id)).map(
      (dev): DeviceSummary => ({
        deviceId: dev.id,
        name: dev.name,
        createdAt: dev.createdAt,
        lastSeenAt: dev.lastSeenAt,
        current: dev.id === s.device.id,
      }),
    ),
  );
  defineRoute(app, "renameDevice", async ({ session, params, body }) =>
    d.auth.renameDevice(session.user.id, params.id, body.name),
  );
  defineRoute(app, "revokeDevice", async ({ session, params }) => {
    await d.auth.revokeDevice(session.user.id, params.id);
  });

  defineRoute(app, "createInvite", async ({ session, body }) =>
    d.auth.createInvite(session, body.role, body.ttlHours),
  );
  defineRoute(app, "inviteInfo", async ({ params }) => d.auth.inviteInfo(params.token));
  defineRoute(app, "acceptInvite", async ({ body }) => d.auth.acceptInvite(body));
}
