import type { ChangePasswordBody, LoginAvailableBody, LoginAvailableResponse } from "@hearth/protocol";
import argon2 from "argon2";
import type { Bus } from "../../bus/bus.ts";
import { conversationTopic, userTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import type { ServerOptions } from "../../config.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import { hashSecret } from "../../secrets.ts";
import type { RunInTransaction } from "../../storage/storage.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { Session } from "./auth-service.ts";
import type { AuthStore } from "./auth-store.ts";
import { LoginAttempts } from "./login-attempts.ts";

type AccountDeps = Pick<ServerOptions, "lockout" | "argon2"> & {
  store: AuthStore;
  clock: Clock;
  conversations: ConversationStore;
  transaction: RunInTransaction;
  bus: Bus;
  audit: AuditLog;
};

/**
 * What a person does to their own account after sign-up: change the password, and (while joining
 * with an invite) check that a sign-in name is free. Kept apart from {@link AuthService}'s sign-in
 * paths; it shares their lockout (the same login keys, see {@link LoginAttempts}).
 */
export class AccountService {
  readonly #d: AccountDeps;
  readonly #attempts: LoginAttempts;

  constructor(deps: AccountDeps) {
    this.#d = deps;
    this.#attempts = new LoginAttempts(deps);
  }

  /**
   * Changes the signed-in person's password. The current password must be right: a wrong one is
   * `password_wrong`, changes nothing, and counts towards the same lockout as sign-in (a stolen
   * session is no side door for guessing). On success every other device of the person is signed
   * out (their sessions end, their sockets close) and this one stays; audited as
   * `auth.password_change` (the passwords never).
   */
  async changePassword(session: Session, body: ChangePasswordBody): Promise<void> {
    const { store, audit, clock } = this.#d;
    const user = (await store.getUser(session.user.id)) ?? session.user;
    const key = await this.#attempts.keyOf(user.login);
    const now = clock.now();
    if (await this.#attempts.isLocked(key, now)) {
      await audit.record("auth.password_change_failed", user.id, session.device.id);
      throw new HttpRefusal("locked_out");
    }
    const ok = await argon2.verify(user.passwordHash, body.currentPassword).catch(() => false);
    if (!ok) {
      if ((await this.#attempts.countFailure(key, now)) === "locked") {
        await audit.record("auth.locked", user.id, session.device.id);
        throw new HttpRefusal("locked_out");
      }
      await audit.record("auth.password_change_failed", user.id, session.device.id);
      throw new HttpRefusal("password_wrong");
    }
    const { memoryCost, timeCost, parallelism } = this.#d.argon2;
    const passwordHash = await argon2.hash(body.newPassword, {
      type: argon2.argon2id,
      memoryCost,
      timeCost,
      parallelism,
    });
    const at = new Date(now).toISOString();
    const revoked = await this.#d.transaction(async (tx) => {
      await tx.auth.updateUser(user.id, { passwordHash });
      await tx.auth.clearLoginFailures(key);
      const others = (await tx.auth.listDevices(user.id)).filter((d) => d.id !== session.device.id);
      for (const d of others) {
        if (await tx.auth.revokeDevice(user.id, d.id, at)) {
          await audit.record("device.revoke", user.id, d.id, tx.audit);
        }
      }
      await audit.record("auth.password_change", user.id, session.device.id, tx.audit);
      return others.map((d) => d.id);
    });
    if (revoked.length === 0) return;
    // The same announcements as signing a device out: its sockets close, and the members of the
    // person's conversations remove those devices from their MLS groups.
    for (const deviceId of revoked) this.#d.bus.publish(userTopic(user.id), { type: "revoked", deviceId });
    for (const m of await this.#d.conversations.listMemberships(user.id)) {
      this.#d.bus.publish(conversationTopic(m.conversationId), {
        type: "devices",
        conversationId: m.conversationId,
        userId: user.id,
      });
    }
  }

  /**
   * Whether a sign-in name is free, for someone joining with a live invite (anyone else gets
   * `invite_invalid`, so this is no way to list who has an account). Joining with a taken name
   * says `login_taken` anyway; this only says it sooner.
   */
  async loginAvailable(body: LoginAvailableBody): Promise<LoginAvailableResponse> {
    const invite = await this.#d.store.getInviteByTokenHash(hashSecret(body.token));
    if (!invite || invite.usedAt || Date.parse(invite.expiresAt) <= this.#d.clock.now()) {
      throw new HttpRefusal("invite_invalid");
    }
    return { available: !(await this.#d.store.getUserByLogin(body.login)) };
  }
}
