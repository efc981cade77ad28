import {
  type AcceptInviteBody,
  type ConversationId,
  type CreateInviteResponse,
  type DeviceId,
  type InviteInfoResponse,
  type LoginBody,
  newId,
  type PracticeId,
  type Role,
  type SessionResponse,
  type SetupBody,
  type UserId,
} from "@hearth/protocol";
import argon2 from "argon2";
import type { Bus } from "../../bus/bus.ts";
import { conversationTopic, userTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import type { ServerOptions } from "../../config.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import { hashSecret, newSecret } from "../../secrets.ts";
import type { RunInTransaction, TransactionalPorts } from "../../storage/storage.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { AuthStore, DeviceRecord, UserRecord } from "./auth-store.ts";
import { LoginAttempts } from "./login-attempts.ts";

/** An authenticated device session. */
export interface Session {
  user: UserRecord;
  device: DeviceRecord;
}

const SETUP_KEY = "setup_token_hash";

/** Who may invite whom. Admins bring in staff; therapists bring in their patients. */
const MAY_INVITE: Record<Role, readonly Role[]> = {
  admin: ["admin", "therapist"],
  therapist: ["patient"],
  patient: [],
};

type AuthDeps = Pick<ServerOptions, "sessionIdleMs" | "inviteTtlHours" | "lockout" | "argon2"> & {
  store: AuthStore;
  clock: Clock;
  /** For the conversations of a user whose device is revoked. */
  conversations: ConversationStore;
  /** Setup and sign-up write accounts, devices, conversations and audit rows together. */
  transaction: RunInTransaction;
  bus: Bus;
  audit: AuditLog;
  /** A device was signed out or revoked (the push module forgets its subscription). */
  onDeviceRevoked?: (deviceId: DeviceId) => Promise<void>;
};

/**
 * Accounts, device sessions, the first-run setup and invites. Passwords are argon2id; session,
 * invite and setup tokens are random 256-bit secrets stored only as SHA-256 hashes.
 */
export class AuthService {
  readonly #d: AuthDeps;
  readonly #attempts: LoginAttempts;
  /**
   * Verified instead of a real hash when no account has the login (same cost parameters), so that
   * both paths spend the same time. Its password is random and never kept.
   */
  readonly #dummyHash: Promise<string>;

  constructor(deps: AuthDeps) {
    this.#d = deps;
    this.#attempts = new LoginAttempts(deps);
    this.#dummyHash = this.#hash(newSecret());
    this.#dummyHash.catch(() => undefined); // awaited (and so reported) on the first unknown login
  }

  /** Prepares what sign-in needs before the first request: the login-key secret and the dummy hash. */
  async start(): Promise<void> {
    await Promise.all([this.#attempts.start(), this.#dummyHash]);
  }

  #hash(password: string) {
    const { memoryCost, timeCost, parallelism } = this.#d.argon2;
    return argon2.hash(password, { type: argon2.argon2id, memoryCost, timeCost, parallelism });
  }

  /**
   * On a server with no practice yet, makes a fresh one-time setup token (replacing any earlier
   * one) and returns it; undefined once set up.
   */
  async prepareSetup(): Promise<string | undefined> {
    if ((await this.#d.store.countPractices()) > 0) return undefined;
    const token = newSecret();
    await this.#d.store.setMeta(SETUP_KEY, hashSecret(token));
    return token;
  }

  async setup(body: SetupBody): Promise<SessionResponse> {
    const passwordHash = await this.#hash(body.password);
    return this.#d.transaction(async (tx) => {
      if ((await tx.auth.countPractices()) > 0) throw new HttpRefusal("setup_done");
      const stored = await tx.auth.getMeta(SETUP_KEY);
      if (!stored || stored !== hashSecret(body.setupToken)) throw new HttpRefusal("setup_token_invalid");
      if (await tx.auth.getUserByLogin(body.login)) throw new HttpRefusal("login_taken");
      const now = new Date(this.#d.clock.now()).toISOString();
      const practiceId = newId("prc");
      await tx.auth.createPractice({ id: practiceId, name: body.practiceName, createdAt: now });
      const user = this.#newUser(practiceId, "admin", body.login, body.displayName, null, passwordHash, now);
      await tx.auth.createUser(user);
      await tx.auth.deleteMeta(SETUP_KEY);
      const session = await this.#newDevice(tx, user, body.deviceName, now);
      await this.#d.audit.record("setup", user.id, practiceId, tx.audit);
      return session;
    });
  }

  #newUser(
    practiceId: PracticeId,
    role: Role,
    login: string,
    displayName: string,
    email: string | null,
    passwordHash: string,
    now: string,
  ): UserRecord {
    return {
      id: newId("usr"),
      practiceId,
      role,
      login,
      displayName,
      email,
      passwordHash,
      showPresence: true,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: now,
    };
  }

  async #newDevice(
    tx: TransactionalPorts,
    user: UserRecord,
    name: string,
    now: string,
  ): Promise<SessionResponse> {
    const token = newSecret();
    const deviceId = newId("dev");
    await tx.auth.createDevice({
      id: deviceId,
      userId: user.id,
      name,
      tokenHash: hashSecret(token),
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
    });
    return {
      userId: user.id,
      deviceId,
      practiceId: user.practiceId,
      role: user.role,
      token,
    };
  }

  /**
   * Signs in. Unknown logins and wrong passwords take the same path with the same work: the same
   * lookups, an argon2 verification (of a dummy hash when there is no such account), the same
   * counter write (per login key, see {@link LoginAttempts}) and the same audit row, and the same
   * answer — `login_failed`, or `locked_out` once the login has failed `maxFailures` times.
   */
  async login(body: LoginBody): Promise<SessionResponse> {
    const { store, audit } = this.#d;
    const now = this.#d.clock.now();
    const key = await this.#attempts.keyOf(body.login);
    const user = await store.getUserByLogin(body.login);
    // Failed sign-ins are audited under the login key, never a user id: the row's shape must not
    // depend on whether the account exists.
    await this.#checkPassword(key, user?.passwordHash, body.password, now, {
      failed: "auth.login_failed",
      refused: "auth.login_refused",
      actor: null,
      subject: key,
    });
    if (!user) throw new Error("unreachable: a password only matches a real account");
    // Only after the password matched, so the refusal tells nobody else that the account exists.
    if (user.deactivatedAt) {
      await audit.record("auth.login_deactivated", user.id, null);
      throw new HttpRefusal("account_deactivated");
    }
    return this.#d.transaction(async (tx) => {
      await tx.auth.clearLoginFailures(key);
      const session = await this.#newDevice(tx, user, body.deviceName, new Date(now).toISOString());
      await audit.record("auth.login", user.id, session.deviceId, tx.audit);
      return session;
    });
  }

  /**
   * Checks `password` against `hash` (or against a dummy hash when there is no account). Wrong
   * answers count towards the login key's lockout, whether they come from a sign-in or an unlock: a
   * locked screen is no side door for guessing. While locked, every attempt is refused unchecked and
   * audited as `refused`.
   */
  async #checkPassword(
    key: string,
    hash: string | undefined,
    password: string,
    now: number,
    /** The audit actions and who tried on what: a sign-in has no actor yet; an unlock has a device. */
    who: {
      failed: "auth.login_failed" | "auth.unlock_failed";
      refused: "auth.login_refused" | "auth.unlock_refused";
      actor: UserId | null;
      subject: string;
    },
  ): Promise<void> {
    const { audit } = this.#d;
    if (await this.#attempts.isLocked(key, now)) {
      await audit.record(who.refused, who.actor, who.subject);
      throw new HttpRefusal("locked_out");
    }
    // Spend the same time whether or not the account exists.
    const ok = await argon2.verify(hash ?? (await this.#dummyHash), password).catch(() => false);
    if (ok && hash !== undefined) return;
    const counted = await this.#attempts.countFailure(key, now);
    if (counted === "locked") {
      await audit.record("auth.locked", who.actor, who.subject);
      throw new HttpRefusal("locked_out");
    }
    await audit.record(who.failed, who.actor, who.subject);
    throw new HttpRefusal("login_failed");
  }

  /**
   * Unlocks the web app's screen lock (automatic logoff after inactivity): the signed-in person
   * proves they are still the one at the device by their password. Nothing changes but the
   * failure count; audited as `auth.unlock` (the password never).
   */
  async unlock(session: Session, password: string): Promise<void> {
    const { store, audit } = this.#d;
    const user = (await store.getUser(session.user.id)) ?? session.user;
    const key = await this.#attempts.keyOf(user.login);
    // Failed unlocks name the person and the device whose lock screen was tried.
    await this.#checkPassword(key, user.passwordHash, password, this.#d.clock.now(), {
      failed: "auth.unlock_failed",
      refused: "auth.unlock_refused",
      actor: user.id,
      subject: session.device.id,
    });
    await store.clearLoginFailures(key);
    await audit.record("auth.unlock", user.id, session.device.id);
  }

  /** Resolves a bearer token to a live session, or undefined (unknown, revoked or idle too long). */
  async authenticate(token: string | undefined): Promise<Session | undefined> {
    if (!token || token.length < 16 || token.length > 256) return undefined;
    const s = await this.#d.store.getSessionByTokenHash(hashSecret(token));
    if (!s || s.user.deactivatedAt) return undefined;
    const now = this.#d.clock.now();
    if (Date.parse(s.device.lastSeenAt) + this.#d.sessionIdleMs < now) return undefined;
    // Refresh last-seen at most once a minute, not on every request.
    if (now - Date.parse(s.device.lastSeenAt) > 60_000) {
      await this.#d.store.touchDevice(s.device.id, new Date(now).toISOString());
    }
    return s;
  }

  async logout(session: Session) {
    await this.revokeDevice(session.user.id, session.device.id, "auth.logout");
  }

  async revokeDevice(
    userId: UserId,
    deviceId: DeviceId,
    action: "auth.logout" | "device.revoke" = "device.revoke",
  ) {
    const ok = await this.#d.store.revokeDevice(
      userId,
      deviceId,
      new Date(this.#d.clock.now()).toISOString(),
    );
    if (!ok) throw new HttpRefusal("not_found");
    await this.#d.audit.record(action, userId, deviceId);
    await this.#announceRevoked(userId, [deviceId]);
  }

  /**
   * Signs every device of the user out at once (an admin deactivated the account): their tokens stop
   * working, their open sockets close with `tokenInvalid` on whichever node holds them, and the
   * members of their conversations remove the devices from their MLS groups. The caller audits.
   */
  async endAllSessions(userId: UserId): Promise<DeviceId[]> {
    const at = new Date(this.#d.clock.now()).toISOString();
    const ended: DeviceId[] = [];
    for (const device of await this.#d.store.listDevices(userId)) {
      if (await this.#d.store.revokeDevice(userId, device.id, at)) ended.push(device.id);
    }
    if (ended.length > 0) await this.#announceRevoked(userId, ended);
    return ended;
  }

  /** Forgets the failed sign-ins counted against a login (its password was just set anew). */
  async forgetFailedSignIns(login: string): Promise<void> {
    await this.#d.store.clearLoginFailures(await this.#attempts.keyOf(login));
  }

  async #announceRevoked(userId: UserId, deviceIds: DeviceId[]) {
    for (const deviceId of deviceIds) {
      await this.#d.onDeviceRevoked?.(deviceId);
      this.#d.bus.publish(userTopic(userId), { type: "revoked", deviceId });
    }
    // Members of the user's conversations remove the device from their MLS groups.
    for (const m of await this.#d.conversations.listMemberships(userId)) {
      this.#d.bus.publish(conversationTopic(m.conversationId), {
        type: "devices",
        conversationId: m.conversationId,
        userId,
      });
    }
  }

  /** Renames one of my devices; another user's (or a signed-out) device is `not_found`. */
  async renameDevice(userId: UserId, deviceId: DeviceId, name: string) {
    if (!(await this.#d.store.renameDevice(userId, deviceId, name))) throw new HttpRefusal("not_found");
    // The name itself stays out of the audit trail (it can be personal); the act is recorded.
    await this.#d.audit.record("device.rename", userId, deviceId);
  }

  async createInvite(session: Session, role: Role, ttlHours?: number): Promise<CreateInviteResponse> {
    if (!MAY_INVITE[session.user.role].includes(role)) throw new HttpRefusal("forbidden");
    const token = newSecret();
    const inviteId = newId("inv");
    const expiresAt = new Date(
      this.#d.clock.now() + (ttlHours ?? this.#d.inviteTtlHours) * 3600_000,
    ).toISOString();
    await this.#d.store.createInvite({
      id: inviteId,
      practiceId: session.user.practiceId,
      inviterId: session.user.id,
      role,
      tokenHash: hashSecret(token),
      expiresAt,
      usedAt: null,
      usedBy: null,
    });
    await this.#d.audit.record("invite.create", session.user.id, inviteId);
    return { inviteId, token, role, expiresAt };
  }

  async #liveInvite(token: string) {
    const invite = await this.#d.store.getInviteByTokenHash(hashSecret(token));
    if (!invite || invite.usedAt || invite.revokedAt || Date.parse(invite.expiresAt) <= this.#d.clock.now()) {
      throw new HttpRefusal("invite_invalid");
    }
    return invite;
  }

  async inviteInfo(token: string): Promise<InviteInfoResponse> {
    const invite = await this.#liveInvite(token);
    const [practice, inviter] = await Promise.all([
      this.#d.store.getPractice(invite.practiceId),
      this.#d.store.getUser(invite.inviterId),
    ]);
    return {
      practiceName: practice?.name ?? "",
      inviterName: inviter?.displayName ?? "",
      role: invite.role,
      expiresAt: invite.expiresAt,
    };
  }

  /**
   * Creates the account and its first device; a patient invited by a therapist lands in a new 1:1
   * conversation with them. All in one transaction: an invite is used exactly once.
   */
  async acceptInvite(body: AcceptInviteBody): Promise<SessionResponse> {
    const invite = await this.#liveInvite(body.token);
    const passwordHash = await this.#hash(body.password);
    const { session, conversationId, inviterId } = await this.#d.transaction(async (tx) => {
      if (await tx.auth.getUserByLogin(body.login)) throw new HttpRefusal("login_taken");
      const now = new Date(this.#d.clock.now()).toISOString();
      const user = this.#newUser(
        invite.practiceId,
        invite.role,
        body.login,
        body.displayName,
        body.email ?? null,
        passwordHash,
        now,
      );
      await tx.auth.createUser(user);
      if (!(await tx.auth.consumeInvite(invite.id, user.id, now))) throw new HttpRefusal("invite_invalid");
      const session = await this.#newDevice(tx, user, body.deviceName, now);
      await this.#d.audit.record("invite.accept", user.id, invite.id, tx.audit);
      let conversationId: ConversationId | undefined;
      const inviter = await tx.auth.getUser(invite.inviterId);
      if (invite.role === "patient" && inviter?.role === "therapist") {
        conversationId = newId("cnv");
        await tx.conversations.createConversation(
          {
            id: conversationId,
            practiceId: invite.practiceId,
            kind: "direct",
            createdBy: inviter.id,
            createdAt: now,
            lastSeq: 0,
            lastActivityAt: now,
          },
          [inviter.id, user.id],
        );
        await this.#d.audit.record("member.add", inviter.id, conversationId, tx.audit);
        await this.#d.audit.record("member.add", user.id, conversationId, tx.audit);
      }
      return { session, conversationId, inviterId: inviter?.id };
    });
    if (conversationId && inviterId) {
      this.#d.bus.publish(userTopic(inviterId), { type: "conversation", conversationId });
      return { ...session, conversationId };
    }
    return session;
  }

  /** The device ids of a session, typed. */
  static ids(s: Session) {
    return { userId: s.user.id, deviceId: s.device.id };
  }
}
