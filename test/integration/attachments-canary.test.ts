import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Attachments, HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesUnder, findMarker, markerForms, readIfThere } from "../support/attachments.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import { TestClient } from "../support/sdk.ts";

/**
 * The canary: a file whose bytes, name and caption carry unique markers (with a recorded length,
 * as a voice note has) goes through the real SDK
 * (end-to-end encryption on: the message with name, caption and key goes through the MLS codec;
 * the file through `encryptAttachment`) and the real server; afterwards no form of any marker (raw,
 * hex, base64 and base64url at every alignment) is in the database file, its -wal or -shm, any file
 * of the blob directory, or the server's log. A control run with encryption off shows the scan
 * finds name and caption when they do leak.
 */
describe("attachment canary: nothing readable reaches the server", () => {
  let t: TestServer;
  let p: Practice;
  const clients: TestClient[] = [];
  const tag = randomBytes(8).toString("hex");
  const markers = {
    bytes: `CANARY-BYTES-${tag}-in-the-file`,
    name: `CANARY-NAME-${tag}.pdf`,
    caption: `CANARY-CAPTION-${tag} for our next session`,
  };

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
  });
  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("detects every form of a marker (the scanner is not vacuous)", () => {
    for (const k of [0, 1, 2]) {
      const bytes = Buffer.concat([randomBytes(k), Buffer.from(markers.name), randomBytes(5)]);
      expect(findMarker(Buffer.from(bytes.toString("base64")), markers.name)).toContain(`base64@${k}`);
      expect(findMarker(Buffer.from(bytes.toString("base64url")), markers.name)).toContain(`base64url@${k}`);
    }
    expect(findMarker(Buffer.from(Buffer.from(markers.bytes).toString("hex")), markers.bytes)).toEqual([
      "hex",
    ]);
    expect(markerForms(markers.caption).every((f) => f.bytes.length >= 16)).toBe(true);
  });

  it("would fire on a leak: with the plain JSON codec (encryption off) the name and caption are in the database", async () => {
    // A server of its own, so this deliberate leak cannot touch the real canary below.
    const leaky = await startTestServer();
    const leakClients: TestClient[] = [];
    try {
      const lp = await makePractice(leaky, 1);
      const pa = new TestClient(leaky.url, lp.patients[0]!);
      leakClients.push(pa);
      await pa.connect();
      const api = new HearthApi({ baseUrl: leaky.url, token: lp.patients[0]!.token });
      const { queued } = await new Attachments({ client: pa.client, api }).send(
        lp.patients[0]!.conversationId! as ConversationId,
        Buffer.from(markers.bytes),
        { name: markers.name, mimeType: "application/pdf", caption: markers.caption },
      );
      await queued.sent;
      const db = Buffer.concat([readIfThere(leaky.dbPath), readIfThere(`${leaky.dbPath}-wal`)]);
      expect(findMarker(db, markers.name)).toContain("utf8");
      expect(findMarker(db, markers.caption)).toContain("utf8");
      // Even in plain mode, the file bytes themselves are encrypted before upload.
      const blobs = Buffer.concat(filesUnder(join(leaky.dataDir, "blobs")).map(readIfThere));
      expect(findMarker(blobs, markers.bytes)).toEqual([]);
    } finally {
      for (const c of leakClients) c.close();
      await leaky.stop();
    }
  });

  it("sends and opens the file, and no marker is in the database, the blob directory or the log", async () => {
    const cid = p.patients[0]!.conversationId! as ConversationId;
    // End-to-end encryption on: the message (with name, caption and key) goes through the MLS codec.
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    const th = new E2eeTestClient(t.url, p.therapist);
    clients.push(pa, th);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]), "one group");
    const paApi = new HearthApi({ baseUrl: t.url, token: p.patients[0]!.token });
    const thApi = new HearthApi({ baseUrl: t.url, token: p.therapist.token });

    // 2 MiB of text with the byte marker all through it (every alignment, many chunks).
    const line = `${markers.bytes} — what I noticed today, in my own words.\n`;
    const file = Buffer.from(line.repeat(Math.ceil((2 * 1024 * 1024) / line.length)));
    const sender = new Attachments({ client: pa.client, api: paApi });
    const { queued } = await sender.send(cid, file, {
      name: markers.name,
      mimeType: "application/pdf",
      caption: markers.caption,
      durationMs: 81_250,
    });
    await queued.sent;
    await th.waitFor(() => th.messages.some((m) => m.content?.attachment), "the attachment message");
    const msg = th.messages.find((m) => m.content?.attachment)!;
    expect(msg.content?.text).toBe(markers.caption);
    // Caption and recorded length travel inside the encrypted reference.
    expect(msg.content?.attachment).toMatchObject({
      name: markers.name,
      caption: markers.caption,
      durationMs: 81_250,
    });
    const opened = await new Attachments({ client: th.client, api: thApi }).download(
      msg.content!.attachment!,
    );
    expect(Buffer.from(opened).equals(file)).toBe(true);
    // Read history too, so the server's read path has run as well (MLS commits and the message).
    expect((await thApi.history(cid)).entries.some((e) => e.kind === "message")).toBe(true);

    const places: { where: string; bytes: Buffer }[] = [
      ...["", "-wal", "-shm"].map((suffix) => ({
        where: `hearth.db${suffix}`,
        bytes: readIfThere(`${t.dbPath}${suffix}`),
      })),
      ...filesUnder(join(t.dataDir, "blobs")).map((f) => ({ where: f, bytes: readIfThere(f) })),
      { where: "server log", bytes: Buffer.from(t.logs()) },
    ];
    // The places are real: the database holds the message and the blob dir the ciphertext.
    expect(places.find((pl) => pl.where === "hearth.db")!.bytes.length).toBeGreaterThan(0);
    expect(places.filter((pl) => pl.where.includes("blobs")).length).toBeGreaterThan(0);
    expect(t.logs().length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const { where, bytes } of places) {
      for (const [what, marker] of Object.entries(markers)) {
        for (const form of findMarker(bytes, marker)) found.push(`${what} as ${form} in ${where}`);
      }
    }
    expect(found).toEqual([]);
  });
});
