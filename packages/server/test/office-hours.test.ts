import { join } from "node:path";
import { ManualClock } from "@hearth/client/testing";
import { type AutoReply, newId, type OfficeHours, type ServerFrame } from "@hearth/protocol";
import {
  dropSchema,
  makePractice,
  makeTempDir,
  POSTGRES_URL,
  type Practice,
  postgresReachable,
  RawSocket,
  REQUIRE_SERVICES,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { describe, expect, it } from "vitest";
import { openPostgresStorage } from "../src/storage/postgres/postgres-storage.ts";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";
import type { Storage } from "../src/storage/storage.ts";

/** Monday to Friday, 09:00–17:00 in Berlin; away on 2026-04-03 (Good Friday). */
const HOURS: OfficeHours = {
  timeZone: "Europe/Berlin",
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
  away: [{ from: "2026-04-03", to: "2026-04-03" }],
  awayText: "I read messages on working days.",
  typicalReplyHours: 24,
  autoReply: true,
};

/** Saturday 2026-03-28, 13:00 in Berlin (CET); summer time starts the next night. */
const SATURDAY = Date.UTC(2026, 2, 28, 12, 0);

const b64 = (s: string) => Buffer.from(s).toString("base64");

const backends: {
  name: string;
  available: boolean;
  open(): Promise<{ reopen(): Promise<Storage>; cleanup(): Promise<void> }>;
}[] = [
  {
    name: "SQLite",
    available: true,
    async open() {
      const dir = await makeTempDir();
      const path = join(dir.path, "hearth.db");
      return { reopen: () => openSqliteStorage({ path }), cleanup: () => dir.remove() };
    },
  },
  {
    name: "PostgreSQL",
    available: await postgresReachable(),
    async open() {
      const schema = uniqueSchemaName("hearth_office");
      return {
        reopen: () => openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 2 }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

for (const backend of backends) {
  const run = backend.available || REQUIRE_SERVICES ? describe : describe.skip;
  run(`automatic replies on ${backend.name}`, () => {
    it("one per closed period, at the next opening across the DST change, durable across a restart", async () => {
      const db = await backend.open();
      const clock = new ManualClock(SATURDAY);
      const to = (at: number) => clock.advance(at - clock.now());
      let t: TestServer | undefined;
      const sockets: RawSocket[] = [];
      try {
        t = await startTestServer({ storage: await db.reopen(), clock });
        const p: Practice = await makePractice(t, 1);
        const patient = p.patients[0]!;
        const cid = patient.conversationId!;
        const put = await t.call("PUT", "/v1/me/office-hours", { token: p.therapist.token, body: HOURS });
        expect(put).toMatchObject({ status: 200, body: { hours: HOURS } });

        let reqId = 1;
        const sendAs = async (token: string) => {
          const s = await RawSocket.hello(t!.wsUrl, token);
          sockets.push(s);
          const ack = await s.request({
            type: "send",
            id: reqId++,
            conversationId: cid,
            messageId: newId("msg"),
            body: b64("x"),
          });
          expect(ack.type).toBe("ack");
          await t!.server.officeHours.idle();
          await s.closeAndWait();
          return ack as Extract<ServerFrame, { type: "ack" }>;
        };
        const replies = async (server: TestServer) =>
          (
            await server.call<{ autoReplies: AutoReply[] }>("GET", `/v1/conversations/${cid}/auto-replies`, {
              token: patient.token,
            })
          ).body.autoReplies;

        // The therapist's device hears of it live.
        const watcher = await RawSocket.hello(t.wsUrl, p.therapist.token);
        sockets.push(watcher);
        const first = await sendAs(patient.token);
        const frame = await watcher.next((f) => f.type === "auto_reply");
        await watcher.closeAndWait();
        const expected = {
          conversationId: cid,
          therapistId: p.therapist.userId,
          afterSeq: first.seq,
          // Monday 09:00 in Berlin is 07:00 UTC once summer time began (08:00 UTC the week before).
          nextOpenAt: "2026-03-30T07:00:00.000Z",
          typicalReplyHours: 24,
          awayText: HOURS.awayText,
        };
        expect(frame).toMatchObject({ type: "auto_reply", autoReply: expected });
        expect(await replies(t)).toEqual([(frame as { autoReply: AutoReply }).autoReply]);

        // The same closed period: nothing more, before or after a restart.
        await sendAs(patient.token);
        await t.stop();
        t = await startTestServer({ storage: await db.reopen(), clock });
        clock.advance(20 * 3_600_000); // Sunday 09:00 UTC, after the change; still closed.
        await sendAs(patient.token);
        expect(await replies(t)).toHaveLength(1);

        // Open hours (Monday 10:00 in Berlin): no automatic reply.
        to(Date.UTC(2026, 2, 30, 8, 0));
        await sendAs(patient.token);
        expect(await replies(t)).toHaveLength(1);

        // Monday 18:00, closed again: a therapist's own message never calls for one.
        to(Date.UTC(2026, 2, 30, 16, 0));
        await sendAs(p.therapist.token);
        expect(await replies(t)).toHaveLength(1);

        // Thursday evening before the away day: the next opening skips Friday and the weekend.
        to(Date.UTC(2026, 3, 2, 18, 0));
        const late = await sendAs(patient.token);
        const all = await replies(t);
        expect(all).toHaveLength(2);
        expect(all[1]).toMatchObject({ afterSeq: late.seq, nextOpenAt: "2026-04-06T07:00:00.000Z" });
      } finally {
        for (const s of sockets) await s.closeAndWait().catch(() => undefined);
        await t?.stop();
        await db.cleanup();
      }
    });
  });
}
