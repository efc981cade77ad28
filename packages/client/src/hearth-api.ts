import type {
  AcceptInviteBody,
  AuditEntry,
  BlobId,
  BlobUploadResponse,
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
  TransferResponse,
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

  /**
   * Send blob uploads as a stream (`duplex: "half"`), so upload progress follows the bytes the
   * network takes. Works in Node and over HTTP/2 in Chromium; elsewhere leave it off (the default),
   * and upload progress jumps from 0 to done.
   */
  streamUploads?: boolean;
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
  readonly #streamUploads: boolean;

  constructor(options: HearthApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token;
    this.#fetch = options.fetch;
    this.#streamUploads = options.streamUploads ?? false;
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
  /** `POST /v1/auth/unlock`: checks my password to lift the app's screen lock (counts towards lockout). */
  unlock(password: string) {
    return this.#call<void>("POST", "/v1/auth/unlock", { password });
  }
  /** `PATCH /v1/devices/:id`: renames one of my devices. */
  renameDevice(deviceId: DeviceId | string, name: string) {
    return this.#call<void>("PATCH", `/v1/devices/${encodeURIComponent(deviceId)}`, { name });
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
  /**
   * `POST /v1/conversations/:id/blobs`: uploads an already encrypted blob (see `Attachments`);
   * `onProgress(sent, total)` follows the upload.
   */
  async uploadBlob(
    conversationId: ConversationId | string,
    blob: Uint8Array,
    onProgress?: (sent: number, total: number) => void,
  ): Promise<BlobUploadResponse> {
    const total = blob.byteLength;
    onProgress?.(0, total);
    let body: BodyInit = blob as Uint8Array<ArrayBuffer>;
    if (this.#streamUploads) {
      let sent = 0;
      const STEP = 64 * 1024;
      body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close();
          const chunk = blob.subarray(sent, Math.min(total, sent + STEP));
          controller.enqueue(chunk);
          sent += chunk.byteLength;
          onProgress?.(sent, total);
        },
      }) as BodyInit;
    }
    const res = await this.#raw("POST", `/v1/conversations/${encodeURIComponent(conversationId)}/blobs`, {
      body,
      headers: { "content-type": "application/octet-stream" },
      // Node's fetch requires it for a stream body; harmless otherwise.
      ...(this.#streamUploads ? { duplex: "half" } : {}),
    });
    const out = await HearthApi.#json<BlobUploadResponse>(res);
    onProgress?.(total, total);
    return out;
  }

  /**
   * `GET /v1/blobs/:id`: the blob's bytes, read as they stream in; `onProgress(received, total)`.
   * With `maxBytes`, a blob announced or found to be longer is not read further: `undefined`.
   */
  async downloadBlob(
    blobId: BlobId | string,
    onProgress?: (received: number, total: number) => void,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<Uint8Array | undefined> {
    const res = await this.#raw("GET", `/v1/blobs/${encodeURIComponent(blobId)}`, {});
    if (!res.ok) await HearthApi.#json(res);
    const declared = Number(res.headers.get("content-length") ?? Number.NaN);
    const total = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
    if (total !== undefined && total > maxBytes) {
      await res.body?.cancel();
      return undefined;
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = res.body?.getReader();
    try {
      for (;;) {
        const r = reader ? await reader.read() : { done: true as const, value: undefined };
        if (r.done) break;
        received += r.value.byteLength;
        if (received > maxBytes) {
          await reader?.cancel();
          return undefined;
        }
        if (total !== undefined && received > total) {
          throw new HearthApiError("unexpected_response", res.status, "The blob is longer than announced.");
        }
        chunks.push(r.value);
        onProgress?.(received, total ?? received);
      }
    } catch (err) {
      if (err instanceof HearthApiError) throw err;
      throw new HearthApiError("network_error", 0, "The server could not be reached.");
    } finally {
      reader?.releaseLock();
    }
    const out = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  /** One authenticated request with a non-JSON body or answer; network failures become coded errors. */
  async #raw(method: string, path: string, init: RequestInit & { duplex?: "half" }): Promise<Response> {
    const fetchFn = this.#fetch ?? globalThis.fetch;
    if (!fetchFn) throw new Error("No fetch implementation: pass options.fetch");
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    try {
      return await fetchFn(this.baseUrl + path, { ...init, method, headers });
    } catch {
      throw new HearthApiError("network_error", 0, "The server could not be reached.");
    }
  }

  /** Reads a JSON answer; a refusal becomes a {@link HearthApiError} with its code. */
  static async #json<T>(res: Response): Promise<T> {
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
    return json as T;
  }

  /** `GET /v1/conversations/:id/group`: the MLS group's epoch and latest group info. */
  groupState(conversationId: ConversationId | string) {
    return this.#call<GroupStateResponse>(
      "GET",
      `/v1/conversations/${encodeURIComponent(conversationId)}/group`,
    );
  }

  /** `PUT /v1/keys/archive`: publishes this user's signed archive key record (base64). */
  setArchiveKey(archiveKey: string): Promise<void> {
    return this.#call<void>("PUT", "/v1/keys/archive", { archiveKey });
  }

  /** `POST /v1/transfers`: opens a device-transfer mailbox for this user. */
  openTransfer(): Promise<TransferResponse> {
    return this.#call<TransferResponse>("POST", "/v1/transfers", {});
  }

  /** `PUT /v1/transfers/:id`: drops the sealed transfer message (base64) in, once. */
  putTransfer(transferId: string, body: string): Promise<void> {
    return this.#call<void>("PUT", `/v1/transfers/${encodeURIComponent(transferId)}`, { body });
  }

  /** `GET /v1/transfers/:id`: reads the mailbox (`body` null until the other device put it). */
  readTransfer(transferId: string): Promise<TransferResponse> {
    return this.#call<TransferResponse>("GET", `/v1/transfers/${encodeURIComponent(transferId)}`);
  }

  /** `DELETE /v1/transfers/:id`: closes the mailbox. */
  closeTransfer(transferId: string): Promise<void> {
    return this.#call<void>("DELETE", `/v1/transfers/${encodeURIComponent(transferId)}`);
  }
}
