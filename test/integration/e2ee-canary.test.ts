import { existsSync, readFileSync } from "node:fs";
import type { ConversationId } from "@hearth/protocol";
import {
  LoopbackPushService,
  login,
  makePractice,
  type Practice,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import { TestClient } from "../support/sdk.ts";

/** Every form a marker could take in storage or logs: UTF-8, hex, and base64 at each byte alignment. */
function forms(marker: string): string[] {
  const bytes = Buffer.from(marker, "utf8");
  const out = [marker, bytes.toString("hex"), bytes.toString("hex").toUpperCase()];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString("base64");
    // Drop the characters that mix in the padding bytes or the bytes after the marker.
    const start = Math.ceil((pad * 4) / 3) + 1;
    out.push(b64.slice(start, b64.length - 4));
    out.push(Buffer.from(b64.slice(start, b64.length - 4)).toString("base64url"));
  }
  return out.filter((f) => f.length >= 8);
}

describe("canary: no plaintext reaches the server's database or logs", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: TestClient[] = [];

  let ps: LoopbackPushService;

  beforeEach(async () => {
    // Pushes are scanned too: each person has a second, offline device subscribed to a push
    // service on loopback (one of them chose to see who wrote), and every push is decrypted.
    ps = await LoopbackPushService.start();
    t = await startTestServer({ push: { origins: [ps.origin] } });
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
    for (const [who, showSender] of [
      [p.therapist, true],
      [p.patients[0]!, false],
    ] as const) {
      const me = await t.call<{ login: string }>("GET", "/v1/me", { token: who.token });
      const offline = await login(t, me.body.login, "offline");
      const sub = ps.subscribe();
      const r = await t.call("PUT", "/v1/push/subscription", {
        token: offline.token,
        body: { endpoint: sub.endpoint, keys: sub.keys, showSender },
      });
      expect(r.status).toBe(200);
    }
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
    await ps.stop();
  });

  it("messages, replies, edits and deletes carry markers that appear nowhere on the server", async () => {
    const th = new E2eeTestClient(t.url, p.therapist);
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    clients.push(th, pa);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]), "one group");

    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const markers = {
      message: `CANARY-MSG-${run}-panic attacks at night`,
      reply: `CANARY-REPLY-${run}-try the breathing exercise`,
      deleted: `CANARY-DEL-${run}-I regret writing this`,
      afterDelete: `CANARY-AFTER-${run}-thanks`,
      edited: `CANARY-EDIT-${run}-panic attacks mostly at night`,
    };
    const m1 = await pa.client.send(cid, { text: markers.message });
    await m1.sent;
    // An edit through the SDK's view: an encrypted entry that refers to the message.
    const paView = pa.client.conversation(cid);
    await paView.load();
    await until(() => paView.canEdit(m1.messageId), "the sent message is editable");
    await (await paView.edit(m1.messageId, markers.edited)).sent;
    await (await th.client.send(cid, { text: markers.reply, replyTo: m1.messageId })).sent;
    const m3 = await pa.client.send(cid, { text: markers.deleted });
    await m3.sent;
    await th.waitFor(() => th.texts(cid).includes(markers.deleted), "therapist reads before delete");
    await (await pa.client.deleteMessage(cid, m3.messageId)).sent;
    await (await th.client.send(cid, { text: markers.afterDelete })).sent;
    await pa.waitFor(() => pa.texts(cid).includes(markers.afterDelete), "patient reads");
    // The markers really travelled (decrypted on the other side).
    expect(th.texts(cid)).toEqual(expect.arrayContaining([markers.message, markers.deleted]));
    expect(pa.texts(cid)).toEqual(expect.arrayContaining([markers.reply, markers.afterDelete]));
    // The edit arrived and applies on the other side (the view shows the new text, marked edited).
    const thView = th.client.conversation(cid);
    await thView.load();
    expect(thView.message(m1.messageId)?.content?.text).toBe(markers.edited);
    expect(thView.message(m1.messageId)?.edited?.earlier).toEqual([markers.message]);
    await th.waitFor(
      () => th.messages.some((m) => m.kind === "tombstone" && m.target === m3.messageId),
      "tombstone",
    );

    const files = [t.dbPath, `${t.dbPath}-wal`, `${t.dbPath}-shm`, `${t.dbPath}-journal`].filter((f) =>
      existsSync(f),
    );
    expect(files).toContain(t.dbPath);
    const haystacks = files.map((f) => ({ name: f, text: readFileSync(f).toString("latin1") }));
    haystacks.push({ name: "server log", text: t.logs() });
    await t.server.pushIdle();
    expect(ps.received.length).toBeGreaterThan(0);
    expect(ps.failures).toEqual([]);
    for (const push of ps.received) {
      haystacks.push({ name: "push payload", text: push.plaintext });
      haystacks.push({ name: "push headers", text: JSON.stringify(push.headers) });
      haystacks.push({ name: "push body", text: push.body.toString("latin1") });
      // Only what the service worker needs: never the conversation id or anyone's name.
      const payload = JSON.parse(push.plaintext) as Record<string, unknown>;
      expect(Object.keys(payload).filter((k) => !["v", "kind", "ref", "sender"].includes(k))).toEqual([]);
      // (The fixtures' display names are "therapist<n>" and "patient<n>".)
      for (const secret of [cid, "therapist", "patient"]) {
        expect(push.plaintext.toLowerCase()).not.toContain(secret.toLowerCase());
        expect(JSON.stringify(push.headers).toLowerCase()).not.toContain(secret.toLowerCase());
      }
    }
    expect(t.logs().length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const [what, marker] of Object.entries(markers)) {
      // Also the run id alone: any fragment of any marker.
      for (const f of [...forms(marker), ...forms(`${run}-`)]) {
        for (const h of haystacks) if (h.text.includes(f)) found.push(`${what} as ${f} in ${h.name}`);
      }
    }
    expect(found).toEqual([]);

    // Control: the same scan does find a marker sent with the plain (test-only) codec.
    const plain = new TestClient(t.url, p.therapist);
    clients.push(plain);
    await plain.connect();
    const control = `CONTROL-${run}-plain text is visible`;
    await (await plain.client.send(cid, { text: control })).sent;
    const scan = () =>
      files.some((f) => {
        const text = readFileSync(f).toString("latin1");
        return forms(control).some((x) => text.includes(x));
      });
    expect(scan()).toBe(true);
  });
});
