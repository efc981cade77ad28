import type { RouteAuth } from "@hearth/protocol";
import type { FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { AuthService, Session } from "../modules/auth/auth-service.ts";
import { HttpRefusal } from "./reply-error.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in device of a `session` or `admin` route, set by the authentication hook. */
    session: Session | null;
  }
}

/** Extracts the bearer token from the Authorization header. */
export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith("Bearer ") ? h.slice(7) : undefined;
}

/** The preHandler hook a route of one {@link RouteAuth} level runs (none for `public`). */
export type Authenticate = (level: RouteAuth) => preHandlerAsyncHookHandler | undefined;

/**
 * Authentication, in one place: the hook of each {@link RouteAuth} level, which sets
 * `request.session`. A `session` route refuses a missing token (`unauthenticated`) or a dead one
 * (`token_invalid`); an `admin` route also refuses anyone but a practice admin (`forbidden`).
 */
export function createAuthentication(auth: AuthService): Authenticate {
  const authenticate = async (req: FastifyRequest): Promise<Session> => {
    const token = bearer(req);
    const s = await auth.authenticate(token);
    if (!s) throw new HttpRefusal(token ? "token_invalid" : "unauthenticated");
    req.session = s;
    return s;
  };
  const hooks: Record<RouteAuth, preHandlerAsyncHookHandler | undefined> = {
    public: undefined,
    session: async (req) => {
      await authenticate(req);
    },
    admin: async (req) => {
      if ((await authenticate(req)).user.role !== "admin") throw new HttpRefusal("forbidden");
    },
  };
  return (level) => hooks[level];
}
