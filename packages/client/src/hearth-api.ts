import type {
  AcceptInviteBody,
  AuditEntry,
  ClaimKeyPackagesResponse,
  ConversationSummary,
  CreateInviteResponse,
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
  UserKeysResponse,
} from "@hearth/protocol";
import { isErrorCode } from "@hearth/protocol";

/** A refusal from the server: its documented code and HTTP status. */
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
  /** Base URL of the server, e.g. `https://hearth.example` (no trailing slash). */
  baseUrl: string;
  /** The session token, once signed in. */
  token?: string;
  /** `fetch` to use; defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

/**
 * The HTTP half of the protocol, typed. Every refusal becomes a {@link HearthApiError} with its code.
 *
 * @example
 * const api = new HearthApi({ baseUrl: "http://localhost:8080" });
 * const session = await api.login({ login: "robin", password: "…", deviceName: "Laptop" });
 * api.token = session.token;
 * const conversations = await api.conversations();
 */
export class HearthApi {
  readonly baseUrl: string;
  token: string | undefined;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: HearthApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await this.#fetch(this.baseUrl + path, {
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
      const e = json as { code?: unknown; message?: unknown };
      const code = isErrorCode(e.code) ? e.code : "unexpected_response";
      throw new HearthApiError(code, res.status, typeof e.message === "string" ? e.message : code);
    }
    return json as T;
  }

  setupNeeded() {
    return this.#call<{ needed: boolean }>("GET", "/v1/setup");
  }
  setup(body: SetupBody) {
    return this.#call<SessionResponse>("POST", "/v1/setup", body);
  }
  login(body: LoginBody) {
    return this.#call<SessionResponse>("POST", "/v1/auth/login", body);
  }
  logout() {
    return this.#call<void>("POST", "/v1/auth/logout", {});
  }
  me() {
    return this.#call<MeResponse>("GET", "/v1/me");
  }
  updateSettings(body: SettingsBody) {
    return this.#call<MeResponse>("PATCH", "/v1/me/settings", body);
  }
  devices() {
    return this.#call<DeviceSummary[]>("GET", "/v1/devices");
  }
  revokeDevice(deviceId: string) {
    return this.#call<void>("DELETE", `/v1/devices/${encodeURIComponent(deviceId)}`);
  }
  createInvite(role: Role, ttlHours?: number) {
    return this.#call<CreateInviteResponse>("POST", "/v1/invites", ttlHours ? { role, ttlHours } : { role });
  }
  inviteInfo(token: string) {
    return this.#call<InviteInfoResponse>("GET", `/v1/invites/${encodeURIComponent(token)}`);
  }
  acceptInvite(body: AcceptInviteBody) {
    return this.#call<SessionResponse>("POST", "/v1/invites/accept", body);
  }
  conversations() {
    return this.#call<ConversationSummary[]>("GET", "/v1/conversations");
  }
  createGroup(memberIds: string[]) {
    return this.#call<ConversationSummary>("POST", "/v1/conversations", { kind: "group", memberIds });
  }
  history(conversationId: string, after = 0, limit = 100) {
    return this.#call<{ entries: LogEntry[] }>(
      "GET",
      `/v1/conversations/${encodeURIComponent(conversationId)}/messages?after=${after}&limit=${limit}`,
    );
  }
  audit(after = 0, limit = 200) {
    return this.#call<{ entries: AuditEntry[] }>("GET", `/v1/audit?after=${after}&limit=${limit}`);
  }
  verifyAudit() {
    return this.#call<{ ok: boolean; count: number; brokenAt?: number }>("GET", "/v1/audit/verify");
  }
  setIdentityKey(identityKey: string) {
    return this.#call<void>("PUT", "/v1/keys/identity", { identityKey });
  }
  userKeys(userId: string) {
    return this.#call<UserKeysResponse>("GET", `/v1/users/${encodeURIComponent(userId)}/keys`);
  }
  uploadKeyPackages(keyPackages: string[], lastResort?: string) {
    return this.#call<{ available: number }>(
      "POST",
      "/v1/keys/packages",
      lastResort ? { keyPackages, lastResort } : { keyPackages },
    );
  }
  keyPackageCount() {
    return this.#call<{ available: number }>("GET", "/v1/keys/packages/count");
  }
  claimKeyPackages(userIds: string[]) {
    return this.#call<ClaimKeyPackagesResponse>("POST", "/v1/keys/claim", { userIds });
  }
  groupState(conversationId: string) {
    return this.#call<GroupStateResponse>(
      "GET",
      `/v1/conversations/${encodeURIComponent(conversationId)}/group`,
    );
  }
}
