import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, describe, expect, it } from "vitest";
import { doctor } from "../../src/cli/doctor-command.ts";
import { loadAtRestKey } from "../../src/storage/at-rest/at-rest-key.ts";
import { openPostgresStorage } from "../../src/storage/postgres/postgres-storage.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

describe("hearth doctor", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), "hearth-doctor-"));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("finds nothing wrong with a healthy embedded setup", async () => {
    const dir = fresh();
    chmodSync(dir, 0o700);
    // Encrypted at rest, with its key file made as on a first start (off would be a warning).
    const atRestKey = loadAtRestKey({ env: { HEARTH_AT_REST: "on" }, dataDir: dir, create: true });
    await (
      await openSqliteStorage({ path: join(dir, "hearth.db"), ...(atRestKey ? { atRestKey } : {}) })
    ).close();
    const f = await doctor({ HEARTH_PUBLIC_URL: "https://hearth.example.org" }, dir);
    expect(f.filter((x) => x.level !== "ok")).toEqual([]);
    expect(f.find((x) => x.part === "encryption at rest")?.message).toMatch(/^on, key file/);
    expect(f.find((x) => x.part === "database")?.message).toMatch(/quick_check ok, journal wal/);
  });

  it("says in words what is wrong: open permissions, a damaged database, an unreachable Redis, half a TLS pair", async () => {
    const dir = fresh();
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "hearth.db"), Buffer.alloc(8192, 7));
    const f = await doctor(
      {
        HEARTH_PUBLIC_URL: "http://hearth.example.org",
        HEARTH_REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        HEARTH_TLS_CERT: "/nonexistent.pem",
        PORT: "http",
      },
      dir,
    );
    const says = (part: string, level: string) =>
      f
        .filter((x) => x.part === part && x.level === level)
        .map((x) => x.message)
        .join(" ");
    expect(says("data directory", "warn")).toMatch(/open to other users \(mode 755\); chmod 700/);
    expect(says("database", "fail")).toMatch(/not a database|damage|Cannot open/);
    expect(says("redis", "fail")).toMatch(/Cannot reach Redis/);
    expect(says("tls", "fail")).toMatch(/Only one of HEARTH_TLS_CERT and HEARTH_TLS_KEY/);
    expect(says("config", "fail")).toMatch(/PORT=http is not a port number/);
    expect(says("config", "warn")).toMatch(/plain http/);
    expect(says("encryption at rest", "warn")).toMatch(
      /off: names, logins and emails are stored in the clear/,
    );
  });

  it("fails on a data directory that does not exist", async () => {
    const f = await doctor({}, join(fresh(), "missing"));
    expect(f.find((x) => x.part === "data directory")).toMatchObject({ level: "fail" });
  });
});

describeWithService(
  "hearth doctor on PostgreSQL",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    it("reports the applied migrations of a Hearth schema, and an unreachable server in words", async () => {
      const schema = uniqueSchemaName("hearth_doctor");
      const dir = mkdtempSync(join(tmpdir(), "hearth-doctor-pg-"));
      chmodSync(dir, 0o700);
      try {
        await (await openPostgresStorage({ connectionString: POSTGRES_URL, schema })).close();
        const ok = await doctor(
          {
            HEARTH_DATABASE_URL: POSTGRES_URL,
            HEARTH_DATABASE_SCHEMA: schema,
            HEARTH_PUBLIC_URL: "https://h.example",
          },
          dir,
        );
        expect(ok.find((f) => f.part === "database")).toMatchObject({
          level: "ok",
          message: expect.stringMatching(/^PostgreSQL answers; \d+ migrations applied$/),
        });
        const down = await doctor(
          { HEARTH_DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/x` },
          dir,
        );
        expect(down.find((f) => f.part === "database")).toMatchObject({
          level: "fail",
          message: expect.stringMatching(/^Cannot reach PostgreSQL at HEARTH_DATABASE_URL: /),
        });
      } finally {
        await dropSchema(schema);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
