import {
  AcceptInviteBodySchema,
  ArchiveKeyBodySchema,
  AuditQuerySchema,
  ClaimKeyPackagesBodySchema,
  CreateConversationBodySchema,
  CreateInviteBodySchema,
  type DeviceSummary,
  HistoryQuerySchema,
  IdentityKeyBodySchema,
  KeyPackagesBodySchema,
  LoginBodySchema,
  type MeResponse,
  RenameDeviceBodySchema,
  SettingsBodySchema,
  SetupBodySchema,
  TransferBodySchema,
  TransferIdSchema,
  UnlockBodySchema,
} from "@hearth/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AuditLog } from "../modules/audit/audit-log.ts";
import type { AuthService, Session } from "../modules/auth/auth-service.ts";
import type { ConversationService } from "../modules/conversations/conversation-service.ts";
import type { PresenceService } from "../modules/delivery/presence-service.ts";
import type { KeysService } from "../modules/keys/keys-service.ts";
import type { Store } from "../storage/store.ts";
import { HttpRefusal } from "./reply-error.ts";
import { validate } from "./validate.ts";

const ParamToken = z.strictObject({ token: z.string().min(16).max(128) });
const ParamId = z.strictObject({ id: z.string().min(1).max(64) });

/** Extracts the bearer token from the Authorization header. */
export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith("Bearer ") ? h.slice(7) : undefined;
}

interface RouteDeps {
  store: Store;
  auth: AuthService;
  conversations: ConversationService;
  audit: AuditLog;
  presence: PresenceService;
  keys: KeysService;
  authRateLimitPerMinute: number;
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
  } as MeResponse;
}

/** Registers every `/v1` HTTP route. Authorization is checked per request, in the services. */
export async function registerRoutes(app: FastifyInstance, d: RouteDeps) {
  const limited = { config: { rateLimit: { max: d.authRateLimitPerMinute, timeWindow: "1 minute" } } };

  const session = async (req: FastifyRequest): Promise<Session> => {
    const s = await d.auth.authenticate(bearer(req));
    if (!s) throw new HttpRefusal(bearer(req) ? "token_invalid" : "unauthenticated");
    return s;
  };
  const admin = async (req: FastifyRequest) => {
    const s = await session(req);
    if (s.user.role !== "admin") throw new HttpRefusal("forbidden");
    return s;
  };

  app.get("/healthz", async () => ({ ok: true }));

  app.get("/v1/setup", async () => ({ needed: (await d.store.countPractices()) === 0 }));
  app.post("/v1/setup", limited, async (req) => d.auth.setup(validate(SetupBodySchema, req.body)));

  app.post("/v1/auth/login", limited, async (req) => d.auth.login(validate(LoginBodySchema, req.body)));
  app.post("/v1/auth/logout", async (req, reply) => {
    await d.auth.logout(await session(req));
    return reply.code(204).send();
  });

  app.post("/v1/auth/unlock", limited, async (req, reply) => {
    const s = await session(req);
    await d.auth.unlock(s, validate(UnlockBodySchema, req.body).password);
    return reply.code(204).send();
  });

  app.get("/v1/me", async (req) => meOf(await session(req)));
  app.patch("/v1/me/settings", async (req) => {
    const s = await session(req);
    const body = validate(SettingsBodySchema, req.body);
    await d.store.updateUser(s.user.id, body);
    const user = await d.store.getUser(s.user.id);
    if (!user) throw new HttpRefusal("not_found");
    if (body.showPresence !== undefined && body.showPresence !== s.user.showPresence) {
      await d.presence.visibilityChanged(user.id, body.showPresence);
    }
    return meOf({ user, device: s.device });
  });

  app.get("/v1/devices", async (req) => {
    const s = await session(req);
    return (await d.store.listDevices(s.user.id)).map(
      (dev): DeviceSummary =>
        ({
          deviceId: dev.id,
          name: dev.name,
          createdAt: dev.createdAt,
          lastSeenAt: dev.lastSeenAt,
          current: dev.id === s.device.id,
        }) as DeviceSummary,
    );
  });
  app.patch("/v1/devices/:id", async (req, reply) => {
    const s = await session(req);
    const { id } = validate(ParamId, req.params);
    const { name } = validate(RenameDeviceBodySchema, req.body);
    await d.auth.renameDevice(s.user.id, id, name);
    return reply.code(204).send();
  });
  app.delete("/v1/devices/:id", async (req, reply) => {
    const s = await session(req);
    const { id } = validate(ParamId, req.params);
    await d.auth.revokeDevice(s.user.id, id);
    return reply.code(204).send();
  });

  app.post("/v1/invites", limited, async (req) => {
    const s = await session(req);
    const body = validate(CreateInviteBodySchema, req.body);
    return d.auth.createInvite(s, body.role, body.ttlHours);
  });
  app.get("/v1/invites/:token", limited, async (req) =>
    d.auth.inviteInfo(validate(ParamToken, req.params).token),
  );
  app.post("/v1/invites/accept", limited, async (req) =>
    d.auth.acceptInvite(validate(AcceptInviteBodySchema, req.body)),
  );

  app.get("/v1/conversations", async (req) => d.conversations.list(await session(req)));
  app.post("/v1/conversations", async (req) => {
    const s = await session(req);
    const body = validate(CreateConversationBodySchema, req.body);
    return d.conversations.createGroup(s, body.memberIds);
  });
  app.get("/v1/conversations/:id/messages", async (req) => {
    const s = await session(req);
    const { id } = validate(ParamId, req.params);
    const q = validate(HistoryQuerySchema, req.query);
    return { entries: await d.conversations.history(s, id, q.after, q.limit) };
  });

  app.put("/v1/keys/identity", async (req, reply) => {
    const s = await session(req);
    await d.keys.setIdentity(s, validate(IdentityKeyBodySchema, req.body).identityKey);
    return reply.code(204).send();
  });
  app.get("/v1/users/:id/keys", async (req) =>
    d.keys.userKeys(await session(req), validate(ParamId, req.params).id),
  );
  app.post("/v1/keys/packages", async (req) => {
    const s = await session(req);
    const body = validate(KeyPackagesBodySchema, req.body);
    return d.keys.upload(s, body.keyPackages, body.lastResort);
  });
  app.get("/v1/keys/packages/count", async (req) => d.keys.count(await session(req)));
  app.post("/v1/keys/claim", async (req) => {
    const s = await session(req);
    return d.keys.claim(s, validate(ClaimKeyPackagesBodySchema, req.body).userIds);
  });
  app.put("/v1/keys/archive", async (req, reply) => {
    const s = await session(req);
    await d.keys.setArchiveKey(s, validate(ArchiveKeyBodySchema, req.body).archiveKey);
    return reply.code(204).send();
  });
  const ParamTransfer = z.strictObject({ id: TransferIdSchema });
  app.post("/v1/transfers", limited, async (req) => d.keys.openTransfer(await session(req)));
  app.put("/v1/transfers/:id", limited, async (req, reply) => {
    const s = await session(req);
    const { id } = validate(ParamTransfer, req.params);
    await d.keys.putTransfer(s, id, validate(TransferBodySchema, req.body).body);
    return reply.code(204).send();
  });
  app.get("/v1/transfers/:id", async (req) =>
    d.keys.readTransfer(await session(req), validate(ParamTransfer, req.params).id),
  );
  app.delete("/v1/transfers/:id", async (req, reply) => {
    const s = await session(req);
    await d.keys.closeTransfer(s, validate(ParamTransfer, req.params).id);
    return reply.code(204).send();
  });
  app.get("/v1/conversations/:id/group", async (req) =>
    d.keys.groupState(await session(req), validate(ParamId, req.params).id),
  );

  app.get("/v1/audit", async (req) => {
    const s = await admin(req);
    const q = validate(AuditQuerySchema, req.query);
    await d.audit.record("audit.read", s.user.id, null);
    const rows = await d.store.listAudit(q.after, q.limit);
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
  app.get("/v1/audit/verify", async (req) => {
    await admin(req);
    return d.audit.verify();
  });
}
