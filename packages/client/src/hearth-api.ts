import type {
  AcceptInviteBody,
  BlobId,
  ConversationId,
  DeviceId,
  LoginBody,
  Role,
  RouteName,
  RouteSpec,
  SettingsBody,
  SetupBody,
  UserId,
} from "@hearth/protocol";
import { BLOB_CONTENT_TYPE, parse, ROUTES, routePath, routeQuery } from "@hearth/protocol";
import { readBinaryAnswer, type TransferProgress, type UploadBody, uploadBody } from "./api/blob-bodies.ts";
import { CallDeadline } from "./api/call-deadline.ts";
import type { CallArgs, CallResult } from "./api/call-options.ts";
import { decodeApiError, HearthApiError } from "./api/hearth-api-error.ts";

// Re-exported so the SDK's modules that import the error from here keep working.
export { HearthApiError } from "./api/hearth-api-error.ts";

/** The default time a call may go without progress before it fails with `network_error`. */
export const DEFAULT_API_TIMEOUT_MS = 15_000;

/**
 * The slowest upload a non-streamed blob upload is given time for, in bytes per second: without a
 * stream the SDK sees no progress until the answer, so the timeout grows by one second per 64 KiB.
 */
const MIN_UPLOAD_BYTES_PER_SECOND = 64 * 1024;

/** Options of {@link HearthApi}. */
export interface HearthApiOptions {
  /** Base URL of the server, e.g. `https://hearth.example`. */
  baseUrl: string;
  /** The session token, once signed in (it can also be set later through `api.token`). */
  token?: string;
  /** `fetch` to use; defaults to the global one. */
  fetch?: typeof globalThis.fetch;
  /**
   * How long a call may go without progress before it fails with `network_error`, in ms (default
   * 15 000). A JSON call must be answered in full within it; a blob transfer restarts it with every
   * chunk that goes out or comes in. `Infinity` turns it off.
   */
  timeoutMs?: number;
  /**
   * Send blob uploads as a stream (`duplex: "half"`), so upload progress follows the bytes the
   * network takes. Works in Node and over HTTP/2 in Chromium; elsewhere leave it off (the default),
   * and upload progress jumps from 0 to done.
   */
  streamUploads?: boolean;
}

/** The loose shape of a call's options, once past the typed signature. */
interface LooseOptions {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  progress?: TransferProgress;
  maxBytes?: number;
}

/**
 * The HTTP half of the protocol, derived from the protocol's route table (`ROUTES`): no path is
 * written here. {@link HearthApi.call} builds each request from its route and validates each answer
 * with the route's schema; every refusal or failure becomes a {@link HearthApiError} with its code.
 * The named methods are one-line shorthands over `call`.
 *
 * @example
 * const api = new HearthApi({ baseUrl: "http://localhost:8080" });
 * const session = await api.login({ login: "robin", password: "…", deviceName: "Laptop" });
 * api.token = session.token;
 * const conversations = await api.conversations();
 * const page = await api.call("history", { params: { id: conversations[0].id }, query: { after: 0 } });
 */
export class HearthApi {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The bearer token sent with every request, when set. */
  token: string | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #streamUploads: boolean;
  readonly #timeoutMs: number;

  constructor(options: HearthApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token;
    this.#fetch = options.fetch;
    this.#streamUploads = options.streamUploads ?? false;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  }

  /**
   * Calls the route `name` of `ROUTES`: path parameters substituted (percent-encoded), the query
   * serialised, the body sent as JSON (bytes for a blob route), and the answer checked against the
   * route's schema. Rejects with a {@link HearthApiError}: the server's code for a refusal,
   * `unexpected_response` for an answer that does not match, `network_error` when the server cannot
   * be reached or is silent for the timeout, `aborted` when `signal` fires.
   *
   * @example
   * await api.call("renameDevice", { params: { id: deviceId }, body: { name: "Phone" } });
   */
  async call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<CallResult<N>> {
    const route: RouteSpec = ROUTES[name];
    const o = (args[0] ?? {}) as LooseOptions;
    const fetchFn = this.#fetch ?? globalThis.fetch;
    if (!fetchFn) throw new Error("No fetch implementation: pass options.fetch");
    const url = this.baseUrl + routePath(route, o.params) + routeQuery(o.query);
    const deadline = new CallDeadline(o.timeoutMs ?? this.#timeoutMs, o.signal);
    const onChunk: TransferProgress = (done, total) => {
      deadline.touch();
      o.progress?.(done, total);
    };
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let upload: UploadBody | undefined;
    if (route.body === "binary") {
      const bytes = o.body as Uint8Array;
      headers["content-type"] = BLOB_CONTENT_TYPE;
      upload = uploadBody(bytes, this.#streamUploads, onChunk);
      if (!upload.duplex) deadline.touch(Math.ceil((bytes.byteLength / MIN_UPLOAD_BYTES_PER_SECOND) * 1000));
    } else if (o.body !== undefined) {
      headers["content-type"] = "application/json";
      upload = { body: JSON.stringify(o.body) };
    }
    try {
      const res = await fetchFn(url, { method: route.method, headers, ...upload, signal: deadline.signal });
      deadline.touch();
      if (!res.ok) throw decodeApiError(res.status, await readJson(res));
      if (route.response === "empty") {
        await res.body?.cancel();
        if (res.status !== 204) throw unexpected(res.status, `${name} answered ${res.status}, not 204.`);
        return undefined as CallResult<N>;
      }
      if (route.response === "text") return (await res.text()) as CallResult<N>;
      if (route.response === "binary") {
        return (await readBinaryAnswer(
          res,
          o.maxBytes ?? Number.POSITIVE_INFINITY,
          onChunk,
        )) as CallResult<N>;
      }
      const json = await readJson(res);
      if (json === undefined) throw unexpected(res.status, "The server's answer was not JSON.");
      const r = parse(route.response, json);
      if (!r.ok)
        throw unexpected(
          res.status,
          `${name}'s answer does not match its schema at ${r.path ?? "its root"}.`,
        );
      return r.value as CallResult<N>;
    } catch (err) {
      throw deadline.failure(err);
    } finally {
      deadline.done();
    }
  }

  // The named methods: one line each over `call`; each route's path and summary live in ROUTES.

  /** `health`: is the server up? */
  health() {
    return this.call("health");
  }
  /** `setupStatus`: does the server still need its first admin? */
  setupNeeded() {
    return this.call("setupStatus");
  }
  /** `setup`: creates the practice and its first admin with the one-time setup token. */
  setup(body: SetupBody) {
    return this.call("setup", { body });
  }
  /** `login`: signs in a new device session. */
  login(body: LoginBody) {
    return this.call("login", { body });
  }
  /** `logout`: revokes this device's token (its socket is closed). */
  logout() {
    return this.call("logout");
  }
  /** `me`: the signed-in user and device. */
  me() {
    return this.call("me");
  }
  /** `updateSettings`: display name, presence visibility. */
  updateSettings(body: SettingsBody) {
    return this.call("updateSettings", { body });
  }
  /** `devices`: this user's signed-in devices. */
  devices() {
    return this.call("devices");
  }
  /** `unlock`: checks my password to lift the app's screen lock (counts towards lockout). */
  unlock(password: string) {
    return this.call("unlock", { body: { password } });
  }
  /**
   * `changePassword`: changes my password (a wrong current one is `password_wrong`); my other
   * devices are signed out, this one stays.
   */
  changePassword(currentPassword: string, newPassword: string) {
    return this.call("changePassword", { body: { currentPassword, newPassword } });
  }
  /** `loginAvailable`: whether a sign-in name is free, asked with a live invite's token. */
  loginAvailable(token: string, login: string) {
    return this.call("loginAvailable", { body: { token, login } });
  }
  /** `renameDevice`: renames one of my devices. */
  renameDevice(deviceId: DeviceId | string, name: string) {
    return this.call("renameDevice", { params: { id: deviceId }, body: { name } });
  }
  /** `revokeDevice`: signs a device out (its session ends, its socket is closed). */
  revokeDevice(deviceId: DeviceId | string) {
    return this.call("revokeDevice", { params: { id: deviceId } });
  }
  /** `createInvite`: an invite link token for a new member with `role` (shown once). */
  createInvite(role: Role, ttlHours?: number) {
    return this.call("createInvite", { body: ttlHours ? { role, ttlHours } : { role } });
  }
  /** `inviteInfo`: what an invite is for, before accepting it. */
  inviteInfo(token: string) {
    return this.call("inviteInfo", { params: { token } });
  }
  /** `acceptInvite`: creates the account; a patient also gets their 1:1 conversation. */
  acceptInvite(body: AcceptInviteBody) {
    return this.call("acceptInvite", { body });
  }
  /** `conversations`: the caller's conversations with members, last seq and unread count. */
  conversations() {
    return this.call("conversations");
  }
  /** `createGroup`: a therapist opens a group with some of their patients. */
  createGroup(memberIds: (UserId | string)[]) {
    return this.call("createGroup", { body: { kind: "group", memberIds } });
  }
  /** `history`: up to `limit` (max 500) log entries with seq > `after`. */
  history(conversationId: ConversationId | string, after = 0, limit = 100) {
    return this.call("history", { params: { id: conversationId }, query: { after, limit } });
  }
  /** `groupState`: the MLS group's epoch and latest group info. */
  groupState(conversationId: ConversationId | string) {
    return this.call("groupState", { params: { id: conversationId } });
  }
  /** `audit` (admins): audit entries with seq > `after`; ids only, never content. */
  audit(after = 0, limit = 200) {
    return this.call("audit", { query: { after, limit } });
  }
  /** `verifyAudit` (admins): checks the audit log's hash chain. */
  verifyAudit() {
    return this.call("verifyAudit");
  }
  /** `setIdentityKey`: pins this user's identity public key (base64; set once). */
  setIdentityKey(identityKey: string) {
    return this.call("setIdentityKey", { body: { identityKey } });
  }
  /** `userKeys`: a contact's pinned identity key and live devices. */
  userKeys(userId: UserId | string) {
    return this.call("userKeys", { params: { id: userId } });
  }
  /** `uploadKeyPackages`: uploads this device's one-time MLS key packages (and a last resort). */
  uploadKeyPackages(keyPackages: string[], lastResort?: string) {
    return this.call("uploadKeyPackages", {
      body: lastResort ? { keyPackages, lastResort } : { keyPackages },
    });
  }
  /** `keyPackageCount`: how many of this device's key packages are left. */
  keyPackageCount() {
    return this.call("keyPackageCount");
  }
  /** `claimKeyPackages`: one key package for every live device of each user. */
  claimKeyPackages(userIds: (UserId | string)[]) {
    return this.call("claimKeyPackages", { body: { userIds } });
  }
  /** `setArchiveKey`: publishes this user's signed archive key record (base64). */
  setArchiveKey(archiveKey: string): Promise<void> {
    return this.call("setArchiveKey", { body: { archiveKey } });
  }
  /** `openTransfer`: opens a device-transfer mailbox for this user. */
  openTransfer() {
    return this.call("openTransfer");
  }
  /** `putTransfer`: drops the sealed transfer message (base64) in, once. */
  putTransfer(transferId: string, body: string): Promise<void> {
    return this.call("putTransfer", { params: { id: transferId }, body: { body } });
  }
  /** `readTransfer`: reads the mailbox (`body` null until the other device put it). */
  readTransfer(transferId: string) {
    return this.call("readTransfer", { params: { id: transferId } });
  }
  /** `closeTransfer`: closes the mailbox. */
  closeTransfer(transferId: string): Promise<void> {
    return this.call("closeTransfer", { params: { id: transferId } });
  }
  /**
   * `uploadBlob`: uploads an already encrypted blob (see `Attachments`); `onProgress(sent, total)`
   * follows the upload (each step with `streamUploads`, else from 0 to done).
   */
  async uploadBlob(
    conversationId: ConversationId | string,
    blob: Uint8Array,
    onProgress?: (sent: number, total: number) => void,
  ) {
    onProgress?.(0, blob.byteLength);
    const progress = onProgress ?? (() => {});
    const out = await this.call("uploadBlob", { params: { id: conversationId }, body: blob, progress });
    onProgress?.(blob.byteLength, blob.byteLength);
    return out;
  }
  /**
   * `downloadBlob`: the blob's bytes, read as they stream in; `onProgress(received, total)`. With
   * `maxBytes`, a blob announced or found to be longer is not read further: `undefined`.
   */
  downloadBlob(
    blobId: BlobId | string,
    onProgress?: (received: number, total: number) => void,
    maxBytes = Number.POSITIVE_INFINITY,
  ) {
    return this.call("downloadBlob", {
      params: { id: blobId },
      maxBytes,
      ...(onProgress ? { progress: onProgress } : {}),
    });
  }
}

/** An answer that is not the protocol's. */
function unexpected(status: number, message: string): HearthApiError {
  return new HearthApiError("unexpected_response", status, message);
}

/** The answer's JSON, or `undefined` when it is not JSON (a failed read throws). */
async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
