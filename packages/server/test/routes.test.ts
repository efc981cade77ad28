import {
  BLOB_CONTENT_TYPE,
  ROUTES,
  type RouteName,
  type RouteSpec,
  routePath,
  routeQuery,
  type SessionResponse,
} from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  joinByInvite,
  POSTGRES_URL,
  postgresReachable,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStorage } from "../src/storage/postgres/postgres-storage.ts";
import type { Storage } from "../src/storage/storage.ts";

const PASSWORD = "correct horse battery staple";
const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");

/** One request to a route of the table, built from its spec (path parameters filled in). */
interface Call {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  token?: string;
  json?: unknown;
  bytes?: Uint8Array<ArrayBuffer>;
}

/** What a route answered: status, headers and body (JSON parsed, or bytes). */
interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
  bytes: Uint8Array;
}

async function send(t: TestServer, spec: RouteSpec, c: Call): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (c.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(c.json);
  } else if (c.bytes) {
    headers["content-type"] = BLOB_CONTENT_TYPE;
    body = c.bytes;
  }
  const res = await fetch(t.url + routePath(spec, c.params) + routeQuery(c.query), {
    method: spec.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const isJson = res.headers.get("content-type")?.startsWith("application/json") ?? false;
  return {
    status: res.status,
    headers: res.headers,
    json: isJson ? JSON.parse(Buffer.from(bytes).toString("utf8")) : undefined,
    bytes,
  };
}

/** Checks one answer against the route's declared response: the schema, 204, or bytes. */
function expectDeclared(name: RouteName, a: Answer) {
  const spec: RouteSpec = ROUTES[name];
  if (spec.response === "empty") {
    expect(a.status, name).toBe(204);
    expect(a.bytes.byteLength, name).toBe(0);
  } else if (spec.response === "binary") {
    expect(a.status, name).toBe(200);
    expect(a.headers.get("content-type"), name).toBe(BLOB_CONTENT_TYPE);
  } else {
    expect(a.status, `${name}: ${JSON.stringify(a.json)}`).toBe(200);
    const r = spec.response.safeParse(a.json);
    expect(r.success ? "ok" : r.error.issues, name).toBe("ok");
  }
}

/**
 * Exercises every route of the table once, in an order where each has what it needs, on a fresh
 * server; the record is keyed by route name, so a route added to the table without a case here
 * fails to compile.
 */
function runRouteSuite(open: () => Promise<{ t: TestServer; cleanup: () => Promise<void> }>) {
  let t: TestServer;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ t, cleanup } = await open());
  });
  afterAll(async () => {
    await cleanup();
  });

  it("registers every route of the protocol's table", () => {
    for (const [name, spec] of Object.entries(ROUTES) as [RouteName, RouteSpec][]) {
      expect(t.server.app.hasRoute({ method: spec.method, url: spec.path }), name).toBe(true);
    }
  });

  it("answers every route as its response schema says", async () => {
    const s = {} as {
      setupToken: string;
      admin: SessionResponse;
      therapist: SessionResponse;
      second: SessionResponse;
      patients: SessionResponse[];
      inviteToken: string;
      transferId: string;
      blobId: string;
      conversationId: string;
    };
    const done = new Set<RouteName>();
    const call = async (name: RouteName, c: Call = {}) => {
      const a = await send(t, ROUTES[name], c);
      expectDeclared(name, a);
      done.add(name);
      return a.json as never;
    };
    const CASES: Record<RouteName, () => Promise<unknown>> = {
      health: () => call("health"),
      setupStatus: () => call("setupStatus"),
      setup: async () => {
        s.setupToken = (await t.server.prepareSetup()) ?? "";
        s.admin = await call("setup", {
          json: {
            setupToken: s.setupToken,
            practiceName: "Routes Practice",
            login: "routes-admin",
            displayName: "Admin",
            password: PASSWORD,
            deviceName: "desk",
          },
        });
      },
      createInvite: async () => {
        s.inviteToken = (
          (await call("createInvite", { token: s.admin.token, json: { role: "therapist" } })) as {
            token: string;
          }
        ).token;
      },
      inviteInfo: () => call("inviteInfo", { params: { token: s.inviteToken } }),
      acceptInvite: async () => {
        s.therapist = await call("acceptInvite", {
          json: {
            token: s.inviteToken,
            login: "routes-therapist",
            displayName: "Dr Routes",
            password: PASSWORD,
            deviceName: "laptop",
          },
        });
        s.patients = [
          await joinByInvite(t, s.therapist.token, "patient", "Pat"),
          await joinByInvite(t, s.therapist.token, "patient", "Sam"),
        ];
      },
      login: async () => {
        s.second = await call("login", {
          json: { login: "routes-therapist", password: PASSWORD, deviceName: "phone" },
        });
      },
      unlock: () => call("unlock", { token: s.therapist.token, json: { password: PASSWORD } }),
      me: () => call("me", { token: s.therapist.token }),
      updateSettings: () =>
        call("updateSettings", {
          token: s.therapist.token,
          json: { displayName: "Dr R", showPresence: false },
        }),
      devices: () => call("devices", { token: s.therapist.token }),
      renameDevice: () =>
        call("renameDevice", {
          token: s.therapist.token,
          params: { id: s.second.deviceId },
          json: { name: "old phone" },
        }),
      conversations: () => call("conversations", { token: s.therapist.token }),
      createGroup: async () => {
        s.conversationId = (
          (await call("createGroup", {
            token: s.therapist.token,
            json: { kind: "group", memberIds: s.patients.map((p) => p.userId) },
          })) as { conversationId: string }
        ).conversationId;
      },
      history: () =>
        call("history", {
          token: s.therapist.token,
          params: { id: s.conversationId },
          query: { after: 0, limit: 10 },
        }),
      groupState: () => call("groupState", { token: s.therapist.token, params: { id: s.conversationId } }),
      setIdentityKey: () =>
        call("setIdentityKey", { token: s.patients[0]!.token, json: { identityKey: b64([1]) } }),
      setArchiveKey: () =>
        call("setArchiveKey", { token: s.patients[0]!.token, json: { archiveKey: b64([2]) } }),
      uploadKeyPackages: () =>
        call("uploadKeyPackages", {
          token: s.patients[0]!.token,
          json: { keyPackages: [b64([3]), b64([4])], lastResort: b64([5]) },
        }),
      keyPackageCount: () => call("keyPackageCount", { token: s.patients[0]!.token }),
      userKeys: () => call("userKeys", { token: s.therapist.token, params: { id: s.patients[0]!.userId } }),
      claimKeyPackages: () =>
        call("claimKeyPackages", { token: s.therapist.token, json: { userIds: [s.patients[0]!.userId] } }),
      openTransfer: async () => {
        s.transferId = (
          (await call("openTransfer", { token: s.second.token })) as { transferId: string }
        ).transferId;
      },
      putTransfer: () =>
        call("putTransfer", {
          token: s.therapist.token,
          params: { id: s.transferId },
          json: { body: b64([6]) },
        }),
      readTransfer: () => call("readTransfer", { token: s.second.token, params: { id: s.transferId } }),
      closeTransfer: () => call("closeTransfer", { token: s.second.token, params: { id: s.transferId } }),
      uploadBlob: async () => {
        s.blobId = (
          (await call("uploadBlob", {
            token: s.therapist.token,
            params: { id: s.conversationId },
            bytes: new Uint8Array([7, 8, 9]),
          })) as { blobId: string }
        ).blobId;
      },
      downloadBlob: () => call("downloadBlob", { token: s.patients[1]!.token, params: { id: s.blobId } }),
      audit: () => call("audit", { token: s.admin.token, query: { after: 0, limit: 50 } }),
      verifyAudit: () => call("verifyAudit", { token: s.admin.token }),
      revokeDevice: () =>
        call("revokeDevice", { token: s.therapist.token, params: { id: s.second.deviceId } }),
      logout: () => call("logout", { token: s.therapist.token }),
    };
    // The record's order is the order of the calls; each case sets up what later ones use.
    for (const run of Object.values(CASES)) await run();
    expect([...done].sort()).toEqual(Object.keys(ROUTES).sort());
  });
}

describe("routes on SQLite", () => {
  runRouteSuite(async () => {
    const t = await startTestServer();
    return { t, cleanup: () => t.stop() };
  });
});

describeWithService(
  "routes on PostgreSQL",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    runRouteSuite(async () => {
      const schema = uniqueSchemaName();
      let storage: Storage;
      try {
        storage = await openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 5 });
      } catch (err) {
        await dropSchema(schema);
        throw err;
      }
      const t = await startTestServer({ storage });
      return {
        t,
        cleanup: async () => {
          await t.stop();
          await dropSchema(schema);
        },
      };
    });
  },
);
