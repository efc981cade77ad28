import { randomBytes } from "node:crypto";
import {
  type CreateSignInLinkResponse,
  type RedeemSignInLinkBody,
  type RedeemSignInLinkResponse,
  SIGN_IN_LINK_TTL_HOURS,
  type SignInLinkId,
  type SignInLinkInfoResponse,
  type UserId,
} from "@hearth/protocol";
import argon2 from "argon2";
import type { Clock } from "../../clock.ts";
import type { ServerOptions } from "../../config.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import { hashSecret, newSecret } from "../../secrets.ts";
import type { RunInTransaction } from "../../storage/storage.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AuthService, Session } from "../auth/auth-service.ts";
import type { AuthStore } from "../auth/auth-store.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { AdminStore, SignInLinkRecord } from "./admin-store.ts";

/** What issued sign-in links use. */
export type SignInLinkDeps = Pick<ServerOptions, "argon2"> & {
  store: AdminStore;
  /** Accounts and practices (read). */
  accounts: AuthStore;
  /** A therapist's patients are the patients who share a conversation with them. */
  conversations: ConversationStore;
  /** Clears a login's failed sign-ins once its password is set anew. */
  auth: AuthService;
  audit: AuditLog;
  clock: Clock;
  transaction: RunInTransaction;
};

const newLinkId = () => `lnk_${randomBytes(16).toString("base64url")}` as SignInLinkId;

/**
 * Sign-in links for a person who forgot their password: an admin issues one for anyone in the
 * practice, a therapist for their own patients. A link works once, for
 * {@link SIGN_IN_LINK_TTL_HOURS} hours, and only its token's SHA-256 is stored. Opening it lets the
 * person set a new password; the account, its devices and its conversations stay as they were (the
 * end-to-end encrypted history comes back on a new device through the recovery key or another
 * device). Issuing, withdrawing and using a link are audited.
 */
export class SignInLinkService {
  readonly #d: SignInLinkDeps;

  constructor(deps: SignInLinkDeps) {
    this.#d = deps;
  }

  /** Issues a link for `userId`; `not_found` for anyone the issuer may not issue one for. */
  async issue(issuer: Session, userId: UserId): Promise<CreateSignInLinkResponse> {
    const { accounts, conversations } = this.#d;
    if (issuer.user.role === "patient") throw new HttpRefusal("forbidden");
    const target = await accounts.getUser(userId);
    if (!target || target.practiceId !== issuer.user.practiceId) throw new HttpRefusal("not_found");
    if (issuer.user.role === "therapist") {
      const mine =
        target.role === "patient" && (await conversations.listContacts(issuer.user.id)).includes(target.id);
      if (!mine) throw new HttpRefusal("not_found");
    }
    if (target.deactivatedAt) throw new HttpRefusal("account_deactivated");
    const token = newSecret();
    const now = this.#d.clock.now();
    const link: SignInLinkRecord = {
      id: newLinkId(),
      practiceId: target.practiceId,
      userId: target.id,
      issuerId: issuer.user.id,
      tokenHash: hashSecret(token),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + SIGN_IN_LINK_TTL_HOURS * 3600_000).toISOString(),
      usedAt: null,
      revokedAt: null,
    };
    await this.#d.store.createSignInLink(link);
    await this.#d.audit.record("link.create", issuer.user.id, target.id);
    return { linkId: link.id, token, expiresAt: link.expiresAt };
  }

  /** Withdraws a link: its issuer or an admin of the practice may; anyone else gets `not_found`. */
  async revoke(by: Session, linkId: SignInLinkId): Promise<void> {
    const link = await this.#d.store.getSignInLink(linkId);
    const allowed =
      link &&
      link.practiceId === by.user.practiceId &&
      (by.user.role === "admin" || link.issuerId === by.user.id);
    if (!allowed) throw new HttpRefusal("not_found");
    if (!(await this.#d.store.revokeSignInLink(linkId, new Date(this.#d.clock.now()).toISOString()))) {
      throw new HttpRefusal("not_found");
    }
    await this.#d.audit.record("link.revoke", by.user.id, link.userId);
  }

  async #live(token: string) {
    const link = await this.#d.store.getSignInLinkByTokenHash(hashSecret(token));
    if (!link || link.usedAt || link.revokedAt || Date.parse(link.expiresAt) <= this.#d.clock.now()) {
      throw new HttpRefusal("link_invalid");
    }
    const user = await this.#d.accounts.getUser(link.userId);
    if (!user) throw new HttpRefusal("link_invalid");
    return { link, user };
  }

  /** Whose account a live link opens; anything else is `link_invalid`. */
  async info(token: string): Promise<SignInLinkInfoResponse> {
    const { link, user } = await this.#live(token);
    const practice = await this.#d.accounts.getPractice(link.practiceId);
    return {
      displayName: user.displayName,
      login: user.login,
      practiceName: practice?.name ?? "",
      expiresAt: link.expiresAt,
    };
  }

  /**
   * Uses a link, once: the new password replaces the old one (which stops working at once) and the
   * login's failed sign-ins are forgotten. Devices stay signed in, so another device can hand this
   * one the history. A deactivated account's link is refused (`account_deactivated`).
   */
  async redeem(body: RedeemSignInLinkBody): Promise<RedeemSignInLinkResponse> {
    const { link, user } = await this.#live(body.token);
    if (user.deactivatedAt) throw new HttpRefusal("account_deactivated");
    const { memoryCost, timeCost, parallelism } = this.#d.argon2;
    const passwordHash = await argon2.hash(body.password, {
      type: argon2.argon2id,
      memoryCost,
      timeCost,
      parallelism,
    });
    await this.#d.transaction(async (tx) => {
      const at = new Date(this.#d.clock.now()).toISOString();
      // Atomic: of two redemptions racing, one marks it used and the other is refused.
      if (!(await tx.admin.useSignInLink(link.id, at))) throw new HttpRefusal("link_invalid");
      await tx.admin.setPasswordHash(user.id, passwordHash);
      await this.#d.audit.record("link.redeem", user.id, link.id, tx.audit);
    });
    await this.#d.auth.forgetFailedSignIns(user.login);
    return { login: user.login };
  }
}
