import { DEFAULTS } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  REDIS_URL,
  redisReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, expect, it } from "vitest";
import { PASSWORD, signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";

const available = (await postgresReachable()) && (await redisReachable());

/** A sign-in attempt; resolves with the answer's status and error code (none on success). */
async function login(
  url: string,
  login: string,
  password: string,
): Promise<{ status: number; code?: string }> {
  const r = await fetch(`${url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login, password, deviceName: "d" }),
  });
  const body = (await r.json()) as { code?: string };
  return { status: r.status, ...(body.code ? { code: body.code } : {}) };
}

/**
 * Two nodes on one PostgreSQL schema and one Redis: a client that spreads its requests over both
 * gets one budget, not one per node, and a lockout earned on one node holds on the other.
 */
describeWithService(
  "cluster: rate limits and lockouts are shared by the nodes",
  available,
  "PostgreSQL and Redis",
  () => {
    const schema = uniqueSchemaName("hearth_limits");
    const env = {
      HEARTH_DATABASE_URL: POSTGRES_URL,
      HEARTH_DATABASE_SCHEMA: schema,
      HEARTH_REDIS_URL: REDIS_URL,
      HEARTH_REDIS_PREFIX: `${schema}:`,
    };
    const nodes: ChildServer[] = [];
    afterAll(async () => {
      for (const n of nodes) await n.destroy();
      await dropSchema(schema);
    });

    it("locks a login out across nodes and counts one sign-in budget for both", async () => {
      const a = await ChildServer.create(env);
      nodes.push(a);
      await a.start();
      await signUpPractice(a.url, await a.waitForSetupToken(), 1);
      const b = await ChildServer.create(env);
      nodes.push(b);
      await b.start();
      const urls = [a.url, b.url];

      // Lockout: the wrong password, alternately on A and B; the failure that reaches the limit locks…
      const { maxFailures } = DEFAULTS.lockout;
      const answers: { status: number; code?: string }[] = [];
      for (let i = 0; i < maxFailures; i++) {
        const r = await login(urls[i % 2]!, "therapist", "wrong password");
        answers.push(r);
        expect(r).toEqual(
          i < maxFailures - 1 ? { status: 401, code: "login_failed" } : { status: 429, code: "locked_out" },
        );
      }
      // …and then even the right password is refused on both nodes.
      for (const url of urls) {
        const r = await login(url, "therapist", PASSWORD);
        answers.push(r);
        expect(r).toEqual({ status: 429, code: "locked_out" });
      }

      // Rate limit: more sign-ins (to logins nobody has) than one budget, spread over both nodes.
      const budget = DEFAULTS.authRateLimitPerMinute;
      for (let i = 0; answers.length < budget + 10; i++) {
        answers.push(await login(urls[i % 2]!, `nobody${i}`, "wrong password"));
      }
      const limited = answers.filter((r) => r.code === "rate_limited");
      // Per node, each would have allowed `budget`: all of these would have passed.
      expect(answers.length - limited.length).toBe(budget);
      expect(limited.length).toBe(10);
      // The limit answers on both nodes.
      const lastTwo = [await login(a.url, "nobody", "x"), await login(b.url, "nobody", "x")];
      expect(lastTwo).toEqual([
        { status: 429, code: "rate_limited" },
        { status: 429, code: "rate_limited" },
      ]);
    }, 180_000);
  },
);
