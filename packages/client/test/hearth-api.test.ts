import { isErrorCode, type SessionResponse } from "@hearth/protocol";
import { joinByInvite, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HearthApi, HearthApiError } from "../src/index.ts";
import { AnswerProxy } from "./support/answer-proxy.ts";

const PASSWORD = "correct horse battery staple";
const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");

/** Every named method of HearthApi (not the generic `call`, not the fields). */
type NamedMethod = Exclude<keyof HearthApi, "call" | "baseUrl" | "token">;

/** The error a call rejected with (fails the test when it settled). */
async function failure(p: Promise<unknown>): Promise<HearthApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HearthApiError);
  return err as HearthApiError;
}

/** Waits (polling, no timing assertion) until `ok()` holds. */
async function until(ok: () => boolean, what: string) {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("HearthApi against the real server", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("every named method works, built from the route table, and each answer passes its schema", async () => {
    const s = {} as {
      admin: SessionResponse;
      therapist: SessionResponse;
      second: SessionResponse;
      patients: SessionResponse[];
      inviteToken: string;
      transferId: string;
      blobId: string;
      conversationId: string;
    };
    const anon = new HearthApi({ baseUrl: `${t.url}/` });
    const as = (session: SessionResponse) => new HearthApi({ baseUrl: t.url, token: session.token });
    const done = new Set<NamedMethod>();
    // Keyed by method name, in calling order: a named method added without a case fails to compile.
    const CASES: Record<NamedMethod, () => Promise<void>> = {
      health: async () => expect(await anon.health()).toEqual({ ok: true }),
      setupNeeded: async () => expect(await anon.setupNeeded()).toEqual({ needed: true }),
      setup: async () => {
        s.admin = await anon.setup({
          setupToken: (await t.server.prepareSetup()) ?? "",
          practiceName: "Api Practice",
          login: "api-admin",
          displayName: "Admin",
          password: PASSWORD,
          deviceName: "desk",
        });
        expect(s.admin.role).toBe("admin");
      },
      createInvite: async () => {
        s.inviteToken = (await as(s.admin).createInvite("therapist", 24)).token;
      },
      inviteInfo: async () => expect((await anon.inviteInfo(s.inviteToken)).role).toBe("therapist"),
      loginAvailable: async () => {
        expect(await anon.loginAvailable(s.inviteToken, "api-admin")).toEqual({ available: false });
        expect(await anon.loginAvailable(s.inviteToken, "api-therapist")).toEqual({ available: true });
      },
      acceptInvite: async () => {
        s.therapist = await anon.acceptInvite({
          token: s.inviteToken,
          login: "api-therapist",
          displayName: "Dr Api",
          password: PASSWORD,
          deviceName: "laptop",
        });
        s.patients = [
          await joinByInvite(t, s.therapist.token, "patient", "Pat"),
          await joinByInvite(t, s.therapist.token, "patient", "Sam"),
        ];
      },
      login: async () => {
        s.second = await anon.login({ login: "api-therapist", password: PASSWORD, deviceName: "phone" });
        expect(s.second.userId).toBe(s.therapist.userId);
      },
      unlock: async () => expect(await as(s.therapist).unlock(PASSWORD)).toBeUndefined(),
      me: async () => expect((await as(s.therapist).me()).userId).toBe(s.therapist.userId),
      updateSettings: async () =>
        expect(
          (await as(s.therapist).updateSettings({ displayName: "Dr A", showPresence: false })).displayName,
        ).toBe("Dr A"),
      devices: async () => expect(await as(s.therapist).devices()).toHaveLength(2),
      renameDevice: async () => {
        await as(s.therapist).renameDevice(s.second.deviceId, "old phone");
        const names = (await as(s.therapist).devices()).map((d) => d.name);
        expect(names).toContain("old phone");
      },
      conversations: async () => expect(await as(s.therapist).conversations()).toHaveLength(2),
      createGroup: async () => {
        s.conversationId = (
          await as(s.therapist).createGroup(s.patients.map((p) => p.userId))
        ).conversationId;
      },
      history: async () =>
        expect(await as(s.therapist).history(s.conversationId, 0, 10)).toEqual({ entries: [] }),
      groupState: async () =>
        expect((await as(s.therapist).groupState(s.conversationId)).epoch).toBeTypeOf("number"),
      setIdentityKey: async () => expect(await as(s.patients[0]!).setIdentityKey(b64([1]))).toBeUndefined(),
      setArchiveKey: async () => expect(await as(s.patients[0]!).setArchiveKey(b64([2]))).toBeUndefined(),
      uploadKeyPackages: async () =>
        expect(await as(s.patients[0]!).uploadKeyPackages([b64([3]), b64([4])], b64([5]))).toEqual({
          available: 2,
        }),
      keyPackageCount: async () =>
        expect(await as(s.patients[0]!).keyPackageCount()).toEqual({ available: 2 }),
      userKeys: async () =>
        expect((await as(s.therapist).userKeys(s.patients[0]!.userId)).identityKey).toBe(b64([1])),
      claimKeyPackages: async () => {
        const claimed = await as(s.therapist).claimKeyPackages([s.patients[0]!.userId]);
        expect(JSON.stringify(claimed)).toContain(s.patients[0]!.deviceId);
      },
      openTransfer: async () => {
        s.transferId = (await as(s.second).openTransfer()).transferId;
      },
      putTransfer: async () =>
        expect(await as(s.therapist).putTransfer(s.transferId, b64([6]))).toBeUndefined(),
      readTransfer: async () => expect((await as(s.second).readTransfer(s.transferId)).body).toBe(b64([6])),
      closeTransfer: async () => expect(await as(s.second).closeTransfer(s.transferId)).toBeUndefined(),
      uploadBlob: async () => {
        const seen: number[] = [];
        const r = await as(s.therapist).uploadBlob(s.conversationId, new Uint8Array([7, 8, 9]), (sent) =>
          seen.push(sent),
        );
        s.blobId = r.blobId;
        expect(seen.at(0)).toBe(0);
        expect(seen.at(-1)).toBe(3);
      },
      downloadBlob: async () => {
        const api = as(s.patients[1]!);
        expect(await api.downloadBlob(s.blobId)).toEqual(new Uint8Array([7, 8, 9]));
        expect(await api.downloadBlob(s.blobId, undefined, 2)).toBeUndefined();
      },
      audit: async () => expect((await as(s.admin).audit(0, 50)).entries.length).toBeGreaterThan(0),
      verifyAudit: async () => expect((await as(s.admin).verifyAudit()).ok).toBe(true),
      changePassword: async () =>
        expect(await as(s.admin).changePassword(PASSWORD, `${PASSWORD} again`)).toBeUndefined(),
      revokeDevice: async () => {
        await as(s.therapist).revokeDevice(s.second.deviceId);
        expect((await failure(as(s.second).me())).status).toBe(401);
      },
      logout: async () => {
        await as(s.therapist).logout();
        const err = await failure(as(s.therapist).me());
        expect(isErrorCode(err.code) && err.status === 401).toBe(true);
      },
    };
    for (const [name, run] of Object.entries(CASES) as [NamedMethod, () => Promise<void>][]) {
      await run();
      done.add(name);
    }
    expect(done.size).toBe(Object.keys(CASES).length);
  });

  it("call: path parameters are percent-encoded into one segment, the query serialised", async () => {
    const api = new HearthApi({ baseUrl: t.url });
    // Unencoded, "a/b?c" would reach another path; encoded it is one (unknown) invite token.
    expect((await failure(api.call("inviteInfo", { params: { token: "a/b?c=d" } }))).code).toBe(
      "invite_invalid",
    );
    expect(await api.call("health")).toEqual({ ok: true });
  });
});

describe("HearthApi through a proxy that rewrites or holds answers", () => {
  let t: TestServer;
  let proxy: AnswerProxy;
  beforeAll(async () => {
    t = await startTestServer();
    proxy = await AnswerProxy.start(t.url);
  });
  afterAll(async () => {
    await proxy.stop();
    await t.stop();
  });

  it("an answer that does not match the route's schema is unexpected_response", async () => {
    proxy.clear();
    proxy.rewrite(
      (r) => r.path === "/v1/setup",
      (json) => ({ ...(json as object), needed: "yes" }),
    );
    proxy.rewrite(
      (r) => r.path === "/healthz",
      (json) => ({ ...(json as object), extra: 1 }),
    );
    const api = new HearthApi({ baseUrl: proxy.url });
    const err = await failure(api.setupNeeded());
    expect(err.code).toBe("unexpected_response");
    expect(err.status).toBe(200);
    expect(err.message).toContain("needed");
    expect((await failure(api.health())).code).toBe("unexpected_response");
    // The same calls straight to the server pass.
    expect(await new HearthApi({ baseUrl: t.url }).setupNeeded()).toEqual({ needed: true });
  });

  it("a refusal keeps the server's code; a refusal that is not the protocol's is unexpected_response", async () => {
    proxy.clear();
    const api = new HearthApi({ baseUrl: proxy.url, token: "not-a-token" });
    const refused = await failure(api.me());
    expect(isErrorCode(refused.code)).toBe(true);
    expect(refused.status).toBe(401);
    proxy.rewrite(
      (r) => r.path === "/v1/me",
      () => ({ code: "no_such_code", message: "x" }),
    );
    const odd = await failure(api.me());
    expect(odd.code).toBe("unexpected_response");
    expect(odd.status).toBe(401);
  });

  it("a held request fails with network_error after the configured timeout", async () => {
    proxy.clear();
    proxy.hold((r) => r.path === "/v1/setup" || r.path === "/healthz");
    const api = new HearthApi({ baseUrl: proxy.url, timeoutMs: 200 });
    const err = await failure(api.setupNeeded());
    expect(err.code).toBe("network_error");
    expect(err.status).toBe(0);
    // A per-call timeout overrides the API's.
    const slow = new HearthApi({ baseUrl: proxy.url });
    expect((await failure(slow.call("health", { timeoutMs: 200 }))).code).toBe("network_error");
  });

  it("a held blob upload or download fails with network_error too", async () => {
    proxy.clear();
    proxy.hold((r) => r.path.includes("/blobs"));
    const api = new HearthApi({ baseUrl: proxy.url, token: "any", timeoutMs: 200 });
    const bytes = new Uint8Array([1, 2, 3]);
    expect((await failure(api.uploadBlob("cnv_AAAAAAAAAAAAAAAAAAAAAA", bytes))).code).toBe("network_error");
    expect((await failure(api.downloadBlob("blb_AAAAAAAAAAAAAAAAAAAAAA"))).code).toBe("network_error");
  });

  it("a caller's AbortSignal ends a held request with aborted", async () => {
    proxy.clear();
    proxy.hold((r) => r.path === "/healthz");
    const api = new HearthApi({ baseUrl: proxy.url });
    const controller = new AbortController();
    const pending = failure(api.call("health", { signal: controller.signal }));
    await until(() => proxy.held === 1, "the request to be held");
    controller.abort();
    const err = await pending;
    expect(err.code).toBe("aborted");
    expect(err.status).toBe(0);
    // Already aborted: nothing is sent.
    expect((await failure(api.call("health", { signal: controller.signal }))).code).toBe("aborted");
  });

  it("an unreachable server is network_error", async () => {
    const gone = await AnswerProxy.start(t.url);
    const url = gone.url;
    await gone.stop();
    expect((await failure(new HearthApi({ baseUrl: url }).health())).code).toBe("network_error");
  });
});
