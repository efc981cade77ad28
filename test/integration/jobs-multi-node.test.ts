import { newId } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  RawSocket,
  uniqueSchemaName,
} from "@hearth/server/testing";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { SmtpCapture } from "../support/smtp-capture.ts";

const PATIENTS = 6;

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Two server processes on one PostgreSQL schema race for the same due jobs (each polls every second,
 * claims with `FOR UPDATE SKIP LOCKED`): every job runs once, so every person gets one email.
 */
describeWithService(
  "durable jobs: two nodes racing on PostgreSQL",
  await postgresReachable(),
  "PostgreSQL",
  () => {
    const schema = uniqueSchemaName("hearth_jobs");
    const env = {
      HEARTH_DATABASE_URL: POSTGRES_URL,
      HEARTH_DATABASE_SCHEMA: schema,
      HEARTH_SMTP_REQUIRE_TLS: "false",
      HEARTH_JOB_POLL_SECONDS: "1",
      HEARTH_EMAIL_BATCH_SECONDS: "0",
    };
    const nodes: ChildServer[] = [];
    let smtp: SmtpCapture | undefined;
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}`, max: 2 });
    afterAll(async () => {
      for (const n of nodes) await n.destroy();
      await smtp?.close();
      await pool.end();
      await dropSchema(schema);
    });

    it("runs each due job once: one email per person", async () => {
      smtp = await SmtpCapture.start();
      const a = await ChildServer.create({ ...env, HEARTH_SMTP_URL: smtp.url });
      nodes.push(a);
      await a.start();
      const { therapist, patients } = await signUpPractice(a.url, await a.waitForSetupToken(), PATIENTS);
      const b = await ChildServer.create({ ...env, HEARTH_SMTP_URL: smtp.url });
      nodes.push(b);
      await b.start();
      for (const [i, p] of patients.entries()) {
        const res = await fetch(`${(i % 2 ? b : a).url}/v1/me/notifications`, {
          method: "PUT",
          headers: { authorization: `Bearer ${p.token}`, "content-type": "application/json" },
          body: JSON.stringify({
            email: `p${i}@hearth.test`,
            emailDelayMinutes: 30,
            emailDigest: false,
            quietHours: null,
          }),
        });
        expect(res.status).toBe(200);
      }
      const s = await RawSocket.hello(a.wsUrl, therapist.token);
      for (const [i, p] of patients.entries()) {
        const ack = await s.request({
          type: "send",
          id: i + 1,
          conversationId: p.conversationId,
          messageId: newId("msg"),
          body: Buffer.from("opaque").toString("base64"),
        });
        expect(ack.type).toBe("ack");
      }
      await s.closeAndWait();
      const unread = async () =>
        Number((await pool.query("select count(*) as n from jobs where kind = 'email.unread'")).rows[0].n);
      await until(async () => (await unread()) === PATIENTS, "one unread check per patient");
      // Half an hour later, for both nodes at once.
      await pool.query("update jobs set run_at = $1 where kind = 'email.unread'", [
        new Date(Date.now() - 1000).toISOString(),
      ]);
      await until(() => smtp!.mails.length >= PATIENTS, "an email per patient");
      await until(
        async () => Number((await pool.query("select count(*) as n from jobs")).rows[0].n) === 0,
        "every job to finish",
      );
      for (let i = 0; i < PATIENTS; i++) expect(smtp.to(`p${i}@hearth.test`), `p${i}`).toHaveLength(1);
      expect(smtp.mails).toHaveLength(PATIENTS);
    });
  },
);
