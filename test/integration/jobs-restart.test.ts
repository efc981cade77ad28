import { join } from "node:path";
import { HearthApi } from "@hearth/client";
import { newId } from "@hearth/protocol";
import { RawSocket } from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { SmtpCapture } from "../support/smtp-capture.ts";

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A durable job survives a crash in its middle: the server process is killed (SIGKILL) while its
 * email job is talking to the SMTP server; after the restart the job's lease runs out, it runs
 * again, and exactly one email is delivered.
 */
describe("durable jobs: SIGKILL in the middle of a due job", () => {
  const started = (async () => {
    const smtp = await SmtpCapture.start({ stallFirst: 1 });
    const server = await ChildServer.create({
      HEARTH_SMTP_URL: smtp.url,
      HEARTH_SMTP_REQUIRE_TLS: "false",
      HEARTH_JOB_LEASE_SECONDS: "2",
      HEARTH_JOB_POLL_SECONDS: "1",
      HEARTH_EMAIL_BATCH_SECONDS: "0",
    });
    return { smtp, server };
  })();
  afterAll(async () => {
    const { smtp, server } = await started;
    await server.destroy();
    await smtp.close();
  });

  it("runs the job again after the restart, and the email goes out once", async () => {
    const { smtp, server } = await started;
    await server.start();
    const { therapist, patients } = await signUpPractice(server.url, await server.waitForSetupToken(), 1);
    const pa = patients[0]!;
    await new HearthApi({ baseUrl: server.url, token: therapist.token }).call("updateNotificationSettings", {
      body: { email: "dr@hearth.test", emailDelayMinutes: 30, emailDigest: false, quietHours: null },
    });
    const s = await RawSocket.hello(server.wsUrl, pa.token);
    const ack = await s.request({
      type: "send",
      id: 1,
      conversationId: pa.conversationId,
      messageId: newId("msg"),
      body: Buffer.from("opaque").toString("base64"),
    });
    expect(ack.type).toBe("ack");
    await s.closeAndWait();
    const db = join(server.dataDir, "hearth.db");
    const jobs = () => {
      const file = new SQLite(db, { readonly: true });
      try {
        return file.prepare("select kind, attempts from jobs order by kind").all() as { kind: string }[];
      } finally {
        file.close();
      }
    };
    await until(() => jobs().some((j) => j.kind === "email.unread"), "the unread check to be stored");
    // Half an hour passes while the server is down (the job's due time moves back instead).
    await server.stop();
    const file = new SQLite(db);
    file
      .prepare("update jobs set run_at = ? where kind = 'email.unread'")
      .run(new Date(Date.now() - 1000).toISOString());
    file.close();

    await server.start();
    await until(() => smtp.stalled === 1, "the email job to reach the SMTP server");
    await server.kill();
    expect(smtp.mails).toHaveLength(0);

    await server.start();
    await until(() => smtp.mails.length === 1, "the email after the restart");
    // Nothing is left to run, and nothing else goes out.
    await until(() => jobs().length === 0, "the finished job to be deleted");
    expect(smtp.to("dr@hearth.test")).toHaveLength(1);
  });
});
