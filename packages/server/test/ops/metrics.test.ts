import { readFileSync, renameSync } from "node:fs";
import { newId } from "@hearth/protocol";
import {
  describeWithService,
  makePractice,
  POSTGRES_URL,
  type Practice,
  postgresReachable,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import fc from "fast-check";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStorage } from "../../src/storage/postgres/postgres-storage.ts";

const TOKEN = "metrics-test-token-0123456789";
const b64 = (s: string) => Buffer.from(s).toString("base64");

async function scrape(t: TestServer, token = TOKEN) {
  const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** A metric's value from the parsed exposition: a counter or gauge sample, or a histogram's count. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const family = parsePrometheusTextFormat(text).find((f) => f.name === name);
  if (!family) return 0;
  const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!sample) return 0;
  return Number(family.type === "HISTOGRAM" ? sample.count : sample.value);
}

describe("/metrics", () => {
  let t: TestServer;
  let p: Practice;
  beforeAll(async () => {
    t = await startTestServer({ metricsToken: TOKEN });
    p = await makePractice(t, 1);
  });
  afterAll(async () => {
    await t.stop();
  });

  it("parses as Prometheus text and moves when messages flow", async () => {
    const before = await scrape(t);
    const families = parsePrometheusTextFormat(before).map((f) => f.name);
    for (const name of [
      "hearth_frames_received_total",
      "hearth_messages_stored_total",
      "hearth_append_seconds",
      "hearth_fanout_seconds",
      "hearth_errors_total",
      "hearth_push_total",
      "hearth_email_total",
      "hearth_connections",
      "hearth_jobs",
      "hearth_process_resident_memory_bytes",
    ]) {
      expect(families, name).toContain(name);
    }
    const cid = p.patients[0]!.conversationId!;
    const th = await RawSocket.hello(t.wsUrl, p.therapist.token);
    const pa = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
    const during = await scrape(t);
    expect(value(during, "hearth_connections")).toBe(2);
    const N = 7;
    for (let i = 0; i < N; i += 1) {
      const ack = await th.request({
        type: "send",
        id: i + 1,
        conversationId: cid,
        messageId: newId("msg"),
        body: b64(`canary message ${i}`),
      });
      expect(ack.type).toBe("ack");
    }
    // One refused frame: counted by its code.
    const refused = await th.request({
      type: "send",
      id: 99,
      conversationId: cid,
      messageId: "nope",
      body: "",
    });
    expect(refused.type).toBe("error");
    const refusedCode = (refused as { code: string }).code;
    const after = await scrape(t);
    const moved = (name: string, labels?: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved("hearth_messages_stored_total")).toBe(N);
    expect(moved("hearth_append_seconds")).toBe(N);
    expect(moved("hearth_fanout_seconds")).toBe(N);
    // hello ×2, N sends, the refused one.
    expect(moved("hearth_frames_received_total")).toBeGreaterThanOrEqual(N + 3);
    expect(moved("hearth_errors_total", { code: refusedCode, transport: "ws" })).toBe(1);
    // No id, name or message text reaches the exposition.
    // (The text as sent — base64 — and as read; the names makePractice gives: "Dr Rowan", "patient<n>".)
    const texts = Array.from({ length: N }, (_, i) => `canary message ${i}`);
    for (const secret of [
      cid,
      p.therapist.userId,
      p.patients[0]!.userId,
      ...texts,
      ...texts.map(b64),
      "Dr Rowan",
    ]) {
      expect(after).not.toContain(secret);
    }
    expect(after).not.toMatch(/patient\d/);
    await th.closeAndWait();
    await pa.closeAndWait();
  });

  it("counts HTTP errors by code", async () => {
    const before = await scrape(t);
    expect((await t.call("GET", "/v1/me")).status).toBe(401);
    expect((await t.call("GET", "/v1/no-such-route")).status).toBe(404);
    const after = await scrape(t);
    const moved = (code: string) =>
      value(after, "hearth_errors_total", { code, transport: "http" }) -
      value(before, "hearth_errors_total", { code, transport: "http" });
    expect(moved("unauthenticated")).toBe(1);
    expect(moved("not_found")).toBe(1);
  });

  it("logs JSON lines that carry the request id the answer names, and never the bearer token", async () => {
    const res = await fetch(`${t.url}/v1/me`, { headers: { authorization: `Bearer ${"q".repeat(43)}` } });
    expect(res.status).toBe(401);
    const id = res.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = t
      .logs()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { reqId?: string });
    expect(lines.filter((l) => l.reqId === id).length).toBeGreaterThan(0);
    expect(t.logs()).not.toContain("q".repeat(43));
    expect(t.logs()).not.toContain(TOKEN);
  });
});

/**
 * The authorization matrix and the bad-input properties for the operator's endpoints: `/metrics`
 * needs its own token (a session token of any role is not it); `/readyz` is public and names parts only.
 */
describe("authorization matrix and bad input: operator endpoints", () => {
  let t: TestServer;
  let untokened: TestServer;
  let p: Practice;
  beforeAll(async () => {
    t = await startTestServer({ metricsToken: TOKEN });
    untokened = await startTestServer();
    p = await makePractice(t, 1);
  });
  afterAll(async () => {
    await t.stop();
    await untokened.stop();
  });

  it("refuses /metrics without the token, with a wrong one and with any session token", async () => {
    expect(await t.call("GET", "/metrics")).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
    for (const token of [
      TOKEN.slice(1),
      `${TOKEN}x`,
      p.admin.token,
      p.therapist.token,
      p.patients[0]!.token,
    ]) {
      expect(await t.call("GET", "/metrics", { token })).toMatchObject({
        status: 401,
        body: { code: "token_invalid" },
      });
    }
  });

  it("does not serve /metrics at all without a configured token, whatever is sent", async () => {
    for (const token of [undefined, "", TOKEN]) {
      expect(await untokened.call("GET", "/metrics", token ? { token } : {})).toMatchObject({
        status: 404,
        body: { code: "not_found" },
      });
    }
  });

  it("arbitrary Authorization headers and queries never cause a 5xx and never show metrics (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        fc.string({ maxLength: 40 }),
        async (auth, q) => {
          for (const path of ["/metrics", "/readyz"]) {
            const res = await fetch(`${t.url}${path}?${encodeURIComponent(q)}`, {
              headers: auth ? { authorization: auth } : {},
            });
            const text = await res.text();
            expect(res.status).toBeLessThan(500);
            if (path === "/metrics" && auth !== `Bearer ${TOKEN}`) {
              expect([401, 404]).toContain(res.status);
              expect(["unauthenticated", "token_invalid"]).toContain(JSON.parse(text).code);
              expect(text).not.toContain("hearth_");
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("/readyz", () => {
  it("is ready on a healthy server and names the database when its file goes away", async () => {
    const t = await startTestServer();
    try {
      expect(await t.call("GET", "/readyz")).toEqual({
        status: 200,
        body: { ready: true, checks: { database: "ok", blobs: "ok" }, failed: [] },
      });
      // The data volume's file is moved away under the running server (an open handle would go on
      // answering from a file no one will see again).
      renameSync(t.dbPath, `${t.dbPath}.moved`);
      expect(await t.call("GET", "/readyz")).toEqual({
        status: 503,
        body: { ready: false, checks: { database: "failed", blobs: "ok" }, failed: ["database"] },
      });
      expect(t.logs()).toMatch(/"part":"database".*is gone/);
      renameSync(`${t.dbPath}.moved`, t.dbPath);
      expect((await t.call("GET", "/readyz")).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describeWithService(
  "/readyz on PostgreSQL",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    it("turns unready when the server's database is dropped (its connections terminated)", async () => {
      const name = `hearth_ready_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${name}`;
      const storage = await openPostgresStorage({ connectionString: url.toString(), poolSize: 2 });
      const t = await startTestServer({ storage });
      try {
        expect((await t.call("GET", "/readyz")).body).toMatchObject({ ready: true });
        await admin.query(`drop database ${name} with (force)`);
        expect(await t.call("GET", "/readyz")).toMatchObject({
          status: 503,
          body: { ready: false, checks: { database: "failed" }, failed: ["database"] },
        });
      } finally {
        await t.stop().catch(() => undefined);
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  },
);

describe("the Grafana dashboard", () => {
  it("asks only for metrics the server exposes", async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL("../../../../ops/grafana/hearth-dashboard.json", import.meta.url), "utf8"),
    ) as { panels: { targets: { expr: string }[] }[] };
    const t = await startTestServer({ metricsToken: TOKEN });
    try {
      const exposed = new Set(parsePrometheusTextFormat(await scrape(t)).map((f) => f.name));
      const asked = dashboard.panels.flatMap((p) =>
        p.targets.flatMap((x) => [...x.expr.matchAll(/\bhearth_[a-z0-9_]+/g)].map((m) => m[0])),
      );
      expect(asked.length).toBeGreaterThan(10);
      for (const name of asked) expect(exposed, name).toContain(name.replace(/_(bucket|sum|count)$/, ""));
    } finally {
      await t.stop();
    }
  });
});
