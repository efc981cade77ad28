import type {
  AcceptInviteBody,
  AuditEntry,
  ClaimKeyPackagesResponse,
  ConversationId,
  ConversationSummary,
  CreateInviteResponse,
  DeviceId,
  DeviceSummary,
  ErrorCode,
  GroupStateResponse,
  InviteInfoResponse,
  LogEntry,
  LoginBody,
  MeResponse,
  Role,
  SessionResponse,
  SettingsBody,
  SetupBody,
  UserId,
  UserKeysResponse,
} from "@hearth/protocol";
import { isErrorCode } from "@hearth/protocol";

/**
 * A refusal from the server, with its documented code (see docs/protocol.md) and HTTP status, or a
 * client-side failure: `network_error` (status 0: the server could not be reached) or
 * `unexpected_response` (an answer that is not the protocol's JSON).
 */
export class HearthApiError extends Error {
  readonly code: ErrorCode | "network_error" | "unexpected_response";
  readonly status: number;
  constructor(code: HearthApiError["code"], status: number, message: string) {
    super(message);
    this.name = "HearthApiError";
    this.code = code;
    this.status = status;
  }
}

/** Options of {@link HearthApi}. */
export interface HearthApiOptions {
  /** Base URL of the server, e.g. `https://hearth.example`. */
  baseUrl: string;
  /** The session token, once signed in (it can also be set later through `api.token`). */
  token?: string;
  /** `fetch` to use; defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

/**
 * The HTTP half of the protocol, typed. Every refusal becomes a {@link HearthApiError} with its code;
 * success bodies are the protocol's response types.
 *
 * @example
 * const api = new HearthApi({ baseUrl: "http://localhost:8080" });
 * const session = await api.login({ login: "robin", password: "…", deviceName: "Laptop" });
 * api.token = session.token;
 * const conversations = await api.conversations();
 */
export class HearthApi {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The bearer token sent with every request, when set. */
  token: string | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;

  constructor(options: HearthApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token;
    this.#fetch = options.fetch;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const fetchFn = this.#fetch ?? globalThis.fetch;
    if (!fetchFn) throw new Error("No fetch implementation: pass options.fetch");
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetchFn(this.baseUrl + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new HearthApiError("network_error", 0, "The server could not be reached.");
    }
    if (res.status === 204) return undefined as T;
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new HearthApiError("unexpected_response", res.status, "The server's answer was not JSON.");
    }
    if (!res.ok) {
      const e = (json ?? {}) as { code?: unknown; message?: unknown };
      const code = isErrorCode(e.code) ? e.code : "unexpected_response";
      throw new HearthApiError(code, res.status, typeof e.message === "string" ? e.message : code);
    }
    // Trusted as the protocol's response type: the server is ours, and the SDK validates what it
    // relies on for ordering (log entries) itself.
    return json as T;
  }

  /** `GET /healthz`: is the server up? */
  health() {
    return this.#call<{ ok: boolean }>("GET", "/healthz");
  }
  /** `GET /v1/setup`: does the server still need its first admin? */
  setupNeeded() {
    return this.#call<{ needed: boolean }>("GET", "/v1/setup");
  }
  /** `POST /v1/setup`: creates the practice and its first admin with the one-time setup token. */
  setup(body: SetupBody) {
    return this.#call<SessionResponse>("POST", "/v1/setup", body);
  }
  /** `POST /v1/auth/login`: signs in a new device session. */
  login(body: LoginBody) {
    return this.#call<SessionResponse>("POST", "/v1/auth/login", body);
  }
  /** `POST /v1/auth/logout`: revokes this device's token (its socket is closed). */
  logout() {
    return this.#call<void>("POST", "/v1/auth/logout", {});
  }
  /** `GET /v1/me`: the signed-in user and device. */
  me() {
    return this.#call<MeResponse>("GET", "/v1/me");
  }
  /** `PATCH /v1/me/settings`: display name, presence visibility. */
  updateSettings(body: SettingsBody) {
    return this.#call<MeResponse>("PATCH", "/v1/me/settings", body);
  }
  /** `GET /v1/devices`: this user's signed-in devices. */
  devices() {
    return this.#call<DeviceSummary[]>("GET", "/v1/devices");
  }
  /** `DELETE /v1/devices/:id`: signs a device out (its session ends, its socket is closed). */
  revokeDevice(deviceId: DeviceId | string) {
    return this.#call<void>("DELETE", `/v1/devices/${encodeURIComponent(deviceId)}`);
  }
  /** `POST /v1/invites`: an invite link token for a new member with `role` (shown once). */
  createInvite(role: Role, ttlHours?: number) {
    return this.#call<CreateInviteResponse>("POST", "/v1/invites", ttlHours ? { role, ttlHours } : { role });
  }
  /** `GET /v1/invites/:token`: what an invite is for, before accepting it. */
  inviteInfo(token: string) {
    return this.#call<InviteInfoResponse>("GET", `/v1/invites/${encodeURIComponent(token)}`);
  }
  /** `POST /v1/invites/accept`: creates the account; a patient also gets their 1:1 conversation. */
  acceptInvite(body: AcceptInviteBody) {
    return this.#call<SessionResponse>("POST", "/v1/invites/accept", body);
  }
  /** `GET /v1/conversations`: the caller's conversations with members, last seq and unread count. */
  conversations() {
    return this.#call<ConversationSummary[]>("GET", "/v1/conversations");
  }
  /** `POST /v1/conversations`: a therapist opens a group with some of their patients. */
  createGroup(memberIds: (UserId | string)[]) {
    return this.#call<ConversationSummary>("POST", "/v1/conversations", { kind: "group", memberIds });
  }
  /** `GET /v1/conversations/:id/messages`: up to `limit` (max 500) log entries with seq > `after`. */
  history(conversationId: ConversationId | string, after = 0, limit = 100) {
    return this.#call<{ entries: LogEntry[] }>(
      "GET",
      `/v1/conversations/${encodeURIComponent(conversationId)}/messages?after=${after}&limit=${limit}`,
    );
  }
  /** `GET /v1/audit` (admins): audit entries with seq > `after`; ids only, never content. */
  audit(after = 0, limit = 200) {
    return this.#call<{ entries: AuditEntry[] }>("GET", `/v1/audit?after=${after}&limit=${limit}`);
  }
  /** `GET /v1/audit/verify` (admins): checks the audit log's hash chain. */
  verifyAudit() {
    return this.#call<{ ok: boolean; count: number; brokenAt?: number }>("GET", "/v1/audit/verify");
  }
  /** `PUT /v1/keys/identity`: pins this user's identity public key (base64; set once). */
  setIdentityKey(identityKey: string) {
    return this.#call<void>("PUT", "/v1/keys/identity", { identityKey });
  }
  /** `GET /v1/users/:id/keys`: a contact's pinned identity key and live devices. */
  userKeys(userId: UserId | string) {
    return this.#call<UserKeysResponse>("GET", `/v1/users/${encodeURIComponent(userId)}/keys`);
  }
  /** `POST /v1/keys/packages`: uploads this device's one-time MLS key packages (and a last resort). */
  uploadKeyPackages(keyPackages: string[], lastResort?: string) {
    return this.#call<{ available: number }>(
      "POST",
      "/v1/keys/packages",
      lastResort ? { keyPackages, lastResort } : { keyPackages },
    );
  }
  /** `GET /v1/keys/packages/count`: how many of this device's key packages are left. */
  keyPackageCount() {
    return this.#call<{ available: number }>("GET", "/v1/keys/packages/count");
  }
  /** `POST /v1/keys/claim`: one key package for every live device of each user. */
  claimKeyPackages(userIds: (UserId | string)[]) {
    return this.#call<ClaimKeyPackagesResponse>("POST", "/v1/keys/claim", { userIds });
  }
  /** `GET /v1/conversations/:id/group`: the MLS group's epoch and latest group info. */
  groupState(conversationId: ConversationId | string) {
    return this.#call<GroupStateResponse>(
      "GET",
      `/v1/conversations/${encodeURIComponent(conversationId)}/group`,
    );
  }
}
