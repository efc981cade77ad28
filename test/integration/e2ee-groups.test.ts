import type { PayloadCodec } from "@hearth/client";
import { encodeE2eePayload, signedPart } from "@hearth/client/testing";
import {
  createArchiveEnvelope,
  createDeviceIdentity,
  encodeDeviceCertificate,
  generateIdentityKeyPair,
  MlsEngine,
  openArchiveKeyRecord,
  signAsDevice,
} from "@hearth/crypto";
import { base64ToBytes, bytesToBase64, type ConversationId, type LogEntry } from "@hearth/protocol";
import { login, makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import { TestClient } from "../support/sdk.ts";

describe("MLS group lifecycle against the real server", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: TestClient[] = [];
  const pair = async () => {
    const th = new E2eeTestClient(t.url, p.therapist);
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    clients.push(th, pa);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(
      () => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]),
      "both devices in one group",
    );
    return { th, pa };
  };

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("a device whose credential is not certified by the user's pinned identity key never joins, and its messages are refused", async () => {
    const { th, pa } = await pair();
    const epochBefore = await th.client.crypto.epoch(cid);
    // The attacker has the patient's password (or is the server): a real session for a new device,
    // with key packages made under an identity key of its own.
    const me = await t.call<{ login: string }>("GET", "/v1/me", { token: p.patients[0]!.token });
    const forged = await login(t, me.body.login, "forged");
    const fakeIdentity = generateIdentityKeyPair();
    const device = createDeviceIdentity(fakeIdentity, { userId: forged.userId, deviceId: forged.deviceId });
    const engine = await MlsEngine.create({ pinnedIdentity: () => fakeIdentity.publicKey });
    const kps = await engine.generateKeyPackages(device, 3, { lastResort: true });
    const up = await t.call("POST", "/v1/keys/packages", {
      token: forged.token,
      body: {
        keyPackages: kps.filter((k) => !k.lastResort).map((k) => bytesToBase64(k.keyPackage)),
        lastResort: bytesToBase64(kps.find((k) => k.lastResort)!.keyPackage),
      },
    });
    expect(up.status).toBe(200);
    // Every member's client looks at the new device and refuses it.
    for (const c of [th, pa]) {
      await c.waitFor(
        () => (c.events["device-unverified"] ?? []).some((e) => e.deviceId === forged.deviceId),
        "forged device refused",
      );
      expect((c.events["device-unverified"] ?? []).find((e) => e.deviceId === forged.deviceId)?.code).toBe(
        "certificate_identity_not_pinned",
      );
    }
    await th.client.crypto.idle();
    await pa.client.crypto.idle();
    expect(await converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId])).toBe(true);
    expect(await th.client.crypto.epoch(cid)).toBe(epochBefore);
    expect(th.events["device-added"]?.some((e) => e.deviceId === forged.deviceId) ?? false).toBe(false);

    // It cannot join MLS, so it seals a message to the archive keys and signs it with its forged device key.
    const keys = await t.call<{ identityKey: string; archiveKey: string }>(
      "GET",
      `/v1/users/${p.therapist.userId}/keys`,
      { token: forged.token },
    );
    const record = openArchiveKeyRecord(
      base64ToBytes(keys.body.archiveKey),
      base64ToBytes(keys.body.identityKey),
    );
    if (!record.ok) throw new Error(record.code);
    const forgedCodec: PayloadCodec = {
      async encode(content, ctx) {
        const json = new TextEncoder().encode(JSON.stringify({ v: 1, text: content.text }));
        const env = await createArchiveEnvelope(json, [{ ...record.value }], ctx);
        return encodeE2eePayload({
          mls: new Uint8Array(),
          archiveCiphertext: env.ciphertext,
          sealedKeys: new Map(env.sealedKeys),
          certificate: encodeDeviceCertificate(device.certificate),
          signature: signAsDevice(
            device,
            "hearth/message/v1",
            signedPart(ctx.conversationId, ctx.messageId, env.ciphertext),
          ),
        });
      },
      async decode() {
        return { ok: false, reason: "missing_keys" };
      },
    };
    const attacker = new TestClient(t.url, forged, { codec: forgedCodec });
    clients.push(attacker);
    await attacker.connect();
    const sent = await attacker.client.send(cid, { text: "please send your password" });
    await sent.sent;
    await th.waitFor(() => th.messages.some((m) => m.messageId === sent.messageId), "forged message arrives");
    const got = th.messages.find((m) => m.messageId === sent.messageId);
    expect(got?.content).toBeUndefined();
    expect(got?.undecryptable).toBe("unverified_sender");
    // Honest traffic goes on.
    await (await pa.client.send(cid, { text: "still here" })).sent;
    await th.waitFor(() => th.texts(cid).includes("still here"), "honest message");
  });

  it("strict device transfer: the typed code must match the old device's, else nothing is installed", async () => {
    const { pa } = await pair();
    const me = await t.call<{ login: string }>("GET", "/v1/me", { token: p.patients[0]!.token });
    const next = new E2eeTestClient(t.url, await login(t, me.body.login, "new tablet"));
    clients.push(next);
    expect((await next.client.crypto.setUp()).kind).toBe("needs-history");
    // A wrong code is refused: no keys.
    const wrong = await next.client.crypto.startDeviceTransfer({ typedCode: async () => "000000x" });
    await (await pa.client.crypto.approveDeviceTransfer(wrong.qrPayload)).confirm();
    await expect(wrong.done).rejects.toMatchObject({ code: "transfer_code_mismatch" });
    expect(next.keyStore.size).toBe(0);
    // The right one installs the keys.
    let shown = "";
    const right = await next.client.crypto.startDeviceTransfer({ typedCode: async () => shown });
    const approval = await pa.client.crypto.approveDeviceTransfer(right.qrPayload);
    shown = approval.shortCode;
    await approval.confirm();
    await right.done;
    expect((await next.client.crypto.setUp()).kind).toBe("ready");
  });

  it("a changed identity key on the server raises identity-changed, and that user's new devices are refused", async () => {
    const { th, pa } = await pair();
    // The server (operator) swaps the patient's pinned identity key in its database.
    const fake = generateIdentityKeyPair();
    const db = new Database(t.dbPath);
    db.pragma("busy_timeout = 5000");
    db.prepare("UPDATE users SET identity_key = ? WHERE id = ?").run(
      bytesToBase64(fake.publicKey),
      p.patients[0]!.userId,
    );
    db.close();
    // A device made under the swapped identity key publishes key packages.
    const me = await t.call<{ login: string }>("GET", "/v1/me", { token: p.patients[0]!.token });
    const planted = await login(t, me.body.login, "planted");
    const device = createDeviceIdentity(fake, { userId: planted.userId, deviceId: planted.deviceId });
    const engine = await MlsEngine.create({ pinnedIdentity: () => fake.publicKey });
    const [kp] = await engine.generateKeyPackages(device, 1);
    await t.call("POST", "/v1/keys/packages", {
      token: planted.token,
      body: { keyPackages: [bytesToBase64(kp!.keyPackage)] },
    });
    await th.waitFor(
      () => (th.events["identity-changed"] ?? []).some((e) => e.userId === p.patients[0]!.userId),
      "identity-changed",
    );
    await th.client.crypto.idle();
    await pa.client.crypto.idle();
    const members = (await th.client.crypto.members(cid)).map((m) => m.deviceId);
    expect(members).not.toContain(planted.deviceId);
    // The patient's real device stays (the swap must not let the server kick it out either).
    expect(members).toContain(p.patients[0]!.deviceId);
    // The pinned key still verifies the patient's real device: messages flow.
    await (await pa.client.send(cid, { text: "it is still me" })).sent;
    await th.waitFor(() => th.texts(cid).includes("it is still me"), "real device still trusted");
  });

  it("both sides compute the same safety number; each side's QR verifies on the other", async () => {
    const { th, pa } = await pair();
    const a = await th.client.crypto.safetyNumber(p.patients[0]!.userId);
    const b = await pa.client.crypto.safetyNumber(p.therapist.userId);
    expect(a.digits).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a.digits).toBe(b.digits);
    expect(a.qr).not.toBe(b.qr);
    expect(await pa.client.crypto.verifySafetyNumber(p.therapist.userId, a.qr)).toBe(true);
    expect(await th.client.crypto.verifySafetyNumber(p.patients[0]!.userId, b.qr)).toBe(true);
    expect(await th.client.crypto.verifySafetyNumber(p.patients[0]!.userId, a.qr)).toBe(false);
  });

  it("concurrent commits for one epoch: exactly one wins, the loser processes it and re-proposes, both converge", async () => {
    const { th, pa } = await pair();
    const start = (await th.client.crypto.epoch(cid)) ?? -1;
    expect(await pa.client.crypto.epoch(cid)).toBe(start);
    const stale = () => th.client.crypto.stats().staleCommits + pa.client.crypto.stats().staleCommits;
    const staleBefore = stale();
    const commitCount = async () =>
      (
        await t.call<{ entries: LogEntry[] }>("GET", `/v1/conversations/${cid}/messages?after=0&limit=500`, {
          token: p.therapist.token,
        })
      ).body.entries.filter((e) => e.kind === "commit").length;
    const commitsBefore = await commitCount();
    // Both devices commit an update in the same epoch at once.
    const [a, b] = await Promise.all([th.client.crypto.rotateKeys(cid), pa.client.crypto.rotateKeys(cid)]);
    expect([a.attempts, b.attempts].sort()).toEqual([1, 2]);
    expect(stale() - staleBefore).toBe(1);
    expect(Math.max(a.epoch, b.epoch)).toBe(start + 2);
    // The log holds the winner and the loser's retry: the losing commit was never stored.
    expect((await commitCount()) - commitsBefore).toBe(2);
    await until(
      async () =>
        (await th.client.crypto.epoch(cid)) === start + 2 &&
        (await pa.client.crypto.epoch(cid)) === start + 2,
      "both at the same epoch",
    );
    const mlsBefore = th.client.crypto.stats().mls;
    await (await pa.client.send(cid, { text: "after the race" })).sent;
    await (await th.client.send(cid, { text: "and back" })).sent;
    await th.waitFor(() => th.texts(cid).length === 2, "therapist reads");
    await pa.waitFor(() => pa.texts(cid).length === 2, "patient reads");
    expect(th.texts(cid)).toEqual(["after the race", "and back"]);
    expect(pa.texts(cid)).toEqual(["after the race", "and back"]);
    expect(th.client.crypto.stats().mls).toBe(mlsBefore + 1);
  });
});
