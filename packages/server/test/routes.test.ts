import { createECDH, randomBytes } from "node:crypto";
import {
  BLOB_CONTENT_TYPE,
  type ConversationId,
  type DeviceId,
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
import { pushRef } from "../src/modules/push/push-service.ts";
import { hashSecret } from "../src/secrets.ts";
import { openPostgresStorage } from "../src/storage/postgres/postgres-storage.ts";
import type { Storage } from "../src/storage/storage.ts";

const PASSWORD = "correct horse battery staple";
const METRICS_TOKEN = "routes-metrics-token";
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
  } else if (spec.response === "text") {
    expect(a.status, name).toBe(200);
    expect(a.headers.get("content-type"), name).toMatch(/^text\/plain/);
  } else if (spec.response === "binary") {
    expect(a.status, name).toBe(200);
    expect(a.headers.get("content-type"), name).toBe(
      name === "calendarFeed" ? "text/calendar; charset=utf-8" : BLOB_CONTENT_TYPE,
    );
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
      appointmentId: string;
      feedUrl: string;
      planId: string;
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
      ready: () => call("ready"),
      metrics: () => call("metrics", { token: METRICS_TOKEN }),
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
      loginAvailable: () => call("loginAvailable", { json: { token: s.inviteToken, login: "routes-admin" } }),
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
      adminAccounts: () => call("adminAccounts", { token: s.admin.token, query: { role: "therapist" } }),
      adminPending: async () => {
        await call("createInvite", { token: s.admin.token, json: { role: "therapist" } });
        const pending = (await call("adminPending", { token: s.admin.token })) as {
          invites: { inviteId: string }[];
        };
        s.inviteToken = pending.invites[0]!.inviteId;
      },
      revokeInvite: () => call("revokeInvite", { token: s.admin.token, params: { id: s.inviteToken } }),
      createSignInLink: async () => {
        s.inviteToken = (
          (await call("createSignInLink", {
            token: s.therapist.token,
            json: { userId: s.patients[1]!.userId },
          })) as { token: string }
        ).token;
      },
      signInLinkInfo: () => call("signInLinkInfo", { params: { token: s.inviteToken } }),
      redeemSignInLink: () =>
        call("redeemSignInLink", { json: { token: s.inviteToken, password: `${PASSWORD} anew` } }),
      revokeSignInLink: async () => {
        const link = (await call("createSignInLink", {
          token: s.admin.token,
          json: { userId: s.patients[1]!.userId },
        })) as { linkId: string };
        await call("revokeSignInLink", { token: s.admin.token, params: { id: link.linkId } });
      },
      deactivateAccount: () =>
        call("deactivateAccount", { token: s.admin.token, params: { id: s.patients[1]!.userId } }),
      reactivateAccount: () =>
        call("reactivateAccount", { token: s.admin.token, params: { id: s.patients[1]!.userId } }),
      adminAudit: () => call("adminAudit", { token: s.admin.token, query: { action: "link.redeem" } }),
      changePassword: () =>
        call("changePassword", {
          token: s.admin.token,
          json: { currentPassword: PASSWORD, newPassword: `${PASSWORD} again` },
        }),
      adminJobs: () => call("adminJobs", { token: s.admin.token }),
      updateNotificationSettings: () =>
        call("updateNotificationSettings", {
          token: s.therapist.token,
          json: {
            email: "dr@example.org",
            emailDelayMinutes: 30,
            emailDigest: true,
            quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" },
          },
        }),
      notificationSettings: () => call("notificationSettings", { token: s.therapist.token }),
      unsubscribe: async () => {
        // As if an email had gone out with this token.
        const token = "u".repeat(43);
        await t.server.storage.notify.addUnsubscribeToken(
          hashSecret(token),
          s.therapist.userId as never,
          new Date().toISOString(),
        );
        await call("unsubscribe", { params: { token } });
      },
      turnCredentials: () => call("turnCredentials", { token: s.patients[0]!.token }),
      callSettings: () => call("callSettings", { token: s.patients[0]!.token }),
      updateCallSettings: () =>
        call("updateCallSettings", { token: s.patients[0]!.token, json: { relayOnly: false } }),
      pushKey: () => call("pushKey", { token: s.patients[0]!.token }),
      pushSubscribe: () =>
        call("pushSubscribe", {
          token: s.patients[0]!.token,
          json: {
            endpoint: "https://fcm.googleapis.com/fcm/send/routes-test",
            keys: {
              p256dh: createECDH("prime256v1").generateKeys().toString("base64url"),
              auth: randomBytes(16).toString("base64url"),
            },
          },
        }),
      pushStatus: () => call("pushStatus", { token: s.patients[0]!.token }),
      pushRef: async () => {
        const sub = await t.server.storage.push.getSubscription(s.patients[0]!.deviceId as DeviceId);
        const ref = pushRef(sub?.aliasKey ?? "", s.conversationId as ConversationId);
        await call("pushRef", { token: s.patients[0]!.token, params: { ref } });
      },
      pushUnsubscribe: () => call("pushUnsubscribe", { token: s.patients[0]!.token }),
      updateOfficeHours: () =>
        call("updateOfficeHours", {
          token: s.therapist.token,
          json: {
            timeZone: "Europe/Berlin",
            weekly: [{ day: 1, start: "09:00", end: "17:00" }],
            away: [{ from: "2026-12-24", to: "2026-12-26" }],
            awayText: "Back after the holidays.",
            typicalReplyHours: 24,
            autoReply: true,
          },
        }),
      myOfficeHours: () => call("myOfficeHours", { token: s.therapist.token }),
      conversationOfficeHours: () =>
        call("conversationOfficeHours", { token: s.patients[0]!.token, params: { id: s.conversationId } }),
      autoReplies: () =>
        call("autoReplies", { token: s.patients[0]!.token, params: { id: s.conversationId } }),
      createAppointment: async () => {
        const a = (await call("createAppointment", {
          token: s.therapist.token,
          params: { id: s.conversationId },
          json: {
            start: "2099-01-05T20:00",
            timeZone: "Europe/Berlin",
            durationMinutes: 50,
            recurrence: "FREQ=WEEKLY",
          },
        })) as { id: string };
        s.appointmentId = a.id;
      },
      conversationAppointments: () =>
        call("conversationAppointments", { token: s.therapist.token, params: { id: s.conversationId } }),
      pastAppointmentSessions: () =>
        call("pastAppointmentSessions", { token: s.patients[0]!.token, params: { id: s.conversationId } }),
      upcomingAppointments: () => call("upcomingAppointments", { token: s.therapist.token }),
      rescheduleAppointment: () =>
        call("rescheduleAppointment", {
          token: s.therapist.token,
          params: { id: s.appointmentId },
          json: { start: "2099-01-06T19:00", timeZone: "Europe/Berlin", durationMinutes: 45 },
        }),
      requestReschedule: () =>
        call("requestReschedule", { token: s.therapist.token, params: { id: s.appointmentId } }),
      appointmentSettings: () => call("appointmentSettings", { token: s.therapist.token }),
      updateAppointmentSettings: () =>
        call("updateAppointmentSettings", {
          token: s.therapist.token,
          json: { reminderMinutes: [60], push: true, email: false, showTime: false, feedNames: false },
        }),
      rotateCalendarFeed: async () => {
        s.feedUrl = ((await call("rotateCalendarFeed", { token: s.therapist.token })) as { url: string }).url;
      },
      calendarFeedStatus: () => call("calendarFeedStatus", { token: s.therapist.token }),
      calendarFeed: () =>
        call("calendarFeed", { params: { token: s.feedUrl.slice(s.feedUrl.lastIndexOf("/") + 1) } }),
      revokeCalendarFeed: () => call("revokeCalendarFeed", { token: s.therapist.token }),
      cancelAppointment: () =>
        call("cancelAppointment", { token: s.therapist.token, params: { id: s.appointmentId } }),
      createCheckinPlan: async () => {
        s.planId = (
          (await call("createCheckinPlan", {
            token: s.therapist.token,
            params: { id: s.conversationId },
            json: {
              patientId: s.patients[0]!.userId,
              schedule: { timeZone: "Europe/Berlin", time: "20:00" },
            },
          })) as { id: string }
        ).id;
      },
      listCheckinPlans: () =>
        call("listCheckinPlans", { token: s.patients[0]!.token, params: { id: s.conversationId } }),
      myCheckinPlans: () => call("myCheckinPlans", { token: s.patients[0]!.token }),
      deleteCheckinPlan: () =>
        call("deleteCheckinPlan", { token: s.therapist.token, params: { planId: s.planId } }),
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
    const t = await startTestServer({ metricsToken: METRICS_TOKEN });
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
      const t = await startTestServer({ storage, metricsToken: METRICS_TOKEN });
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
