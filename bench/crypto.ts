/**
 * Crypto and attachments benchmark (`npm run bench:crypto`), all through @hearth/crypto and the real
 * server; stops by itself.
 *
 *   npm run bench:crypto -- [--seconds 3] [--mib 20]
 *
 * - MLS application message: a two-device group; one op = encrypt 1 KiB on one device and decrypt
 *   it on the other.
 * - MLS commits in groups of 2 and 10 devices; one op = create the commit, apply it on the committer
 *   and process it on one other member (add: one new device by key package; remove: that device,
 *   including the follow-up update our layer sends after a single remove; update: an empty commit
 *   with an update path).
 * - Attachments: `encryptAttachment` / `decryptAttachment` of a `--mib` MiB file (AES-256-GCM in
 *   64 KiB chunks, WebCrypto), in MiB/s of plaintext.
 * - Upload and download of the encrypted file through a real server on loopback (in this process:
 *   Fastify, SQLite WAL synchronous=FULL, filesystem blob store with fsync), alone and together with
 *   encryption (what `Attachments.send` / `download` cost, minus the message).
 *
 * RSS is this process's resident memory after each row (the server runs in this process too).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HearthApi } from "@hearth/client";
import {
  createDeviceIdentity,
  type DeviceIdentity,
  decryptAttachment,
  encryptAttachment,
  generateIdentityKeyPair,
  type IdentityKeyPair,
  MlsEngine,
  type MlsGroup,
  type PendingCommit,
} from "@hearth/crypto";
import type { ConversationId } from "@hearth/protocol";
import { buildServer, createLogger, openSqliteStorage } from "@hearth/server";
import { machine, percentile, table } from "./stats.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const SECONDS = Number(args.get("seconds") ?? 3);
const MIB = Number(args.get("mib") ?? 20);
const MiB = 1024 * 1024;

const rows: (string | number)[][] = [];
const rss = () => process.memoryUsage().rss / MiB;

/** Runs `op` (after `prepare`, untimed) until `SECONDS` have passed and at least `minOps` ran. */
async function measure<T>(
  prepare: () => Promise<T>,
  op: (input: T) => Promise<void>,
  minOps = 5,
): Promise<number[]> {
  const times: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  while (times.length < minOps || performance.now() < deadline) {
    const input = await prepare();
    const t0 = performance.now();
    await op(input);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

function report(what: string, scale: string, times: number[], unit: "ops/s" | "MiB/s", mibPerOp = 0) {
  const total = times.reduce((a, b) => a + b, 0) / 1000;
  const rate = unit === "ops/s" ? times.length / total : (mibPerOp * times.length) / total;
  rows.push([
    what,
    scale,
    times.length,
    `${rate.toFixed(1)} ${unit}`,
    percentile(times, 50),
    percentile(times, 99),
    rss(),
  ]);
  process.stderr.write(`  ${what} (${scale}): ${rate.toFixed(1)} ${unit}\n`);
}

// ------------------------------------------------------------------ MLS

const pins = new Map<string, Uint8Array>();
const identities = new Map<string, IdentityKeyPair>();
let deviceCounter = 0;
function newDevice(userId: string): DeviceIdentity {
  let identity = identities.get(userId);
  if (!identity) {
    identity = generateIdentityKeyPair();
    identities.set(userId, identity);
    pins.set(userId, identity.publicKey);
  }
  return createDeviceIdentity(identity, { userId, deviceId: `d${++deviceCounter}` });
}

function must<T>(r: { ok: true; value: T } | { ok: false; code: string }): T {
  if (!r.ok) throw new Error(`MLS operation failed: ${r.code}`);
  return r.value;
}

/**
 * Sends a commit (and any follow-up our layer chains to it) from `a`, applying each at `a` and
 * processing it at every member in `others`.
 */
async function deliver(a: MlsGroup, first: PendingCommit, others: MlsGroup[]) {
  let pending: PendingCommit | undefined = first;
  while (pending) {
    const next = a.confirmPendingCommit();
    for (const o of others) {
      const got = await o.processMessage(pending.commit);
      if (got.kind !== "commit") throw new Error(`commit not processed: ${JSON.stringify(got.kind)}`);
    }
    pending = next;
  }
}

/** A group of `n` devices (two users), every member joined and in sync. */
async function makeGroup(engine: MlsEngine, n: number): Promise<MlsGroup[]> {
  const a = await engine.createGroup(newDevice("u_therapist"), `cnv_bench_${n}_${deviceCounter}`);
  const bundles = [];
  for (let i = 1; i < n; i++) {
    const [kp] = await engine.generateKeyPackages(newDevice(i % 2 ? "u_patient" : "u_therapist"), 1);
    bundles.push(kp!);
  }
  const added = must(await a.addMembers(bundles.map((b) => b.keyPackage)));
  await deliver(a, added, []);
  const groups = [a];
  for (const b of bundles) groups.push(must(await engine.joinFromWelcome(added.welcome!, [b])).group);
  return groups;
}

async function benchMls() {
  const engine = await MlsEngine.create({ pinnedIdentity: (id) => pins.get(id) });
  const [a, b] = await makeGroup(engine, 2);
  const kib = crypto.getRandomValues(new Uint8Array(1024));
  report(
    "MLS message 1 KiB, encrypt + decrypt",
    "2 devices",
    await measure(
      async () => undefined,
      async () => {
        const got = await b!.processMessage(await a!.encrypt(kib));
        if (got.kind !== "application") throw new Error("not decrypted");
      },
      50,
    ),
    "ops/s",
  );

  for (const n of [2, 10]) {
    const [c, r] = await makeGroup(engine, n);
    const scale = `${n} devices`;
    report(
      "MLS commit: update",
      scale,
      await measure(
        async () => undefined,
        async () => deliver(c!, must(await c!.update()), [r!]),
      ),
      "ops/s",
    );
    // Add a fresh device, then remove it again: the group size stays n (n + 1 during the remove).
    const adds: number[] = [];
    const removes: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    while (adds.length < 5 || performance.now() < deadline) {
      const [kp] = await engine.generateKeyPackages(newDevice("u_patient"), 1);
      let t0 = performance.now();
      await deliver(c!, must(await c!.addMembers([kp!.keyPackage])), [r!]);
      adds.push(performance.now() - t0);
      const leaf = c!.members().find((m) => m.deviceId === `d${deviceCounter}`)!.leafIndex;
      t0 = performance.now();
      await deliver(c!, must(await c!.removeMembers([leaf])), [r!]);
      removes.push(performance.now() - t0);
    }
    report(
      "MLS commit: add 1 device",
      scale,
      adds.sort((x, y) => x - y),
      "ops/s",
    );
    report(
      "MLS commit: remove 1 device (+ follow-up update)",
      scale,
      removes.sort((x, y) => x - y),
      "ops/s",
    );
  }
}

// ------------------------------------------------------------------ attachments

async function benchAttachments() {
  const plain = new Uint8Array(MIB * MiB);
  for (let i = 0; i < plain.length; i += 65536) crypto.getRandomValues(plain.subarray(i, i + 65536));
  const scale = `${MIB} MiB`;
  let sealed = await encryptAttachment(plain);
  report(
    "attachment encrypt",
    scale,
    await measure(
      async () => undefined,
      async () => {
        sealed = await encryptAttachment(plain);
      },
    ),
    "MiB/s",
    MIB,
  );
  report(
    "attachment decrypt (hash + every chunk)",
    scale,
    await measure(
      async () => undefined,
      async () => {
        const r = await decryptAttachment(sealed.blob, sealed.secret);
        if (!r.ok) throw new Error(r.code);
      },
    ),
    "MiB/s",
    MIB,
  );

  // A real server on loopback, its data in a temp dir.
  const dir = mkdtempSync(join(tmpdir(), "hearth-bench-crypto-"));
  const storage = await openSqliteStorage({ path: join(dir, "hearth.db") });
  const server = await buildServer({
    storage,
    logger: createLogger({ level: "warn" }),
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    authRateLimitPerMinute: 1_000_000,
    blobUploadRateLimitPerMinute: 1_000_000,
    maxBlobBytes: (MIB + 1) * MiB,
    blobDir: join(dir, "blobs"),
  });
  try {
    const url = await server.listen(0, "127.0.0.1");
    const setupToken = (await server.prepareSetup())!;
    const password = "bench password 0123";
    const anon = new HearthApi({ baseUrl: url });
    const admin = await anon.setup({
      setupToken,
      practiceName: "Bench",
      login: "admin",
      displayName: "Admin",
      password,
      deviceName: "bench",
    } as Parameters<HearthApi["setup"]>[0]);
    const adminApi = new HearthApi({ baseUrl: url, token: admin.token });
    const accept = async (inviter: HearthApi, role: "therapist" | "patient", login: string) => {
      const inv = await inviter.createInvite(role);
      return anon.acceptInvite({
        token: inv.token,
        login,
        displayName: login,
        password,
        deviceName: "bench",
      } as Parameters<HearthApi["acceptInvite"]>[0]);
    };
    const therapist = await accept(adminApi, "therapist", "therapist");
    const patient = await accept(
      new HearthApi({ baseUrl: url, token: therapist.token }),
      "patient",
      "patient",
    );
    const cid = patient.conversationId as ConversationId;
    const api = new HearthApi({ baseUrl: url, token: patient.token });
    const blobMiB = sealed.blob.length / MiB;
    let blobId = (await api.uploadBlob(cid, sealed.blob)).blobId;

    report(
      "upload (HTTP POST, fsync, metadata)",
      scale,
      await measure(
        async () => undefined,
        async () => {
          blobId = (await api.uploadBlob(cid, sealed.blob)).blobId;
        },
      ),
      "MiB/s",
      blobMiB,
    );
    report(
      "download (HTTP GET)",
      scale,
      await measure(
        async () => undefined,
        async () => {
          const got = await api.downloadBlob(blobId);
          if (got?.length !== sealed.blob.length) throw new Error("short download");
        },
      ),
      "MiB/s",
      blobMiB,
    );
    report(
      "encrypt + upload",
      scale,
      await measure(
        async () => undefined,
        async () => {
          const s = await encryptAttachment(plain);
          await api.uploadBlob(cid, s.blob);
        },
      ),
      "MiB/s",
      MIB,
    );
    report(
      "download + decrypt",
      scale,
      await measure(
        async () => undefined,
        async () => {
          const r = await decryptAttachment((await api.downloadBlob(blobId))!, sealed.secret);
          if (!r.ok) throw new Error(r.code);
        },
      ),
      "MiB/s",
      MIB,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stderr.write(`Crypto bench, ${SECONDS} s per row\n`);
await benchMls();
await benchAttachments();
process.stdout.write(
  `\nMachine: ${machine()}; ${SECONDS} s per row (at least 5 ops).\n\n${table(
    ["operation", "scale", "ops", "throughput", "p50 ms", "p99 ms", "RSS MiB"],
    rows,
  )}\n`,
);
