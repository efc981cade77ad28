import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { TestClient } from "../support/sdk.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(ROOT, "packages/server/dist");
const run = promisify(execFile);

/** The production start: `npm run build:server` compiles to plain JavaScript, and `node` runs it. */
describe("production start: compiled JavaScript under plain node", () => {
  let server: ChildServer | undefined;
  const clients: TestClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.destroy();
  });

  it("builds, starts without a TypeScript loader, and serves", async () => {
    await run(process.execPath, [join(ROOT, "scripts/build-server.mjs")], { cwd: ROOT });
    const js = readdirSync(DIST).filter((f) => f.endsWith(".js"));
    expect(js).toContain("main.js");
    expect(js).toContain("hearth.js");
    // Nothing in the output imports TypeScript or the loader.
    for (const f of js) {
      const text = readFileSync(join(DIST, f), "utf8");
      expect(text).not.toMatch(/from\s*"[^"]*\.ts"|import\("[^"]*\.ts"\)|"tsx/);
    }

    // `node packages/server/dist/main.js`, no --import: a .ts module would fail to load at all.
    server = await ChildServer.create({}, { compiled: true });
    await server.start();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const { patients } = await signUpPractice(server.url, await server.waitForSetupToken(), 1);
    const c = new TestClient(server.url, patients[0]!);
    clients.push(c);
    await c.connect();
    const { sent } = await c.client.send(patients[0]!.conversationId!, { text: "compiled" });
    expect((await sent).seq).toBe(1);

    // The compiled `hearth` command runs too.
    const usage = await run(process.execPath, [join(DIST, "hearth.js"), "--help"]).catch(
      (e: { stdout?: string; stderr?: string }) => e,
    );
    expect(`${usage.stdout}${usage.stderr}`).toContain("Usage: hearth");
  }, 180_000);
});
