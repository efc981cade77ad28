import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import ts from "typescript";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser } from "../support/browser.ts";

/**
 * The web app's IndexedDB opener (apps/web/src/storage/db.ts) in a real browser: databases made by
 * the hand-written openers that came before it open with every record kept, upgrade steps run once
 * each and in order, and a delete does not wait for other connections. The module runs as it is
 * (transpiled, with idb's own build), on a page answered by the test: no server is needed.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const ORIGIN = "http://localhost:4999";

function dbModule(): string {
  const source = readFileSync(resolve(ROOT, "apps/web/src/storage/db.ts"), "utf8");
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return js.replace(/from "idb"/g, 'from "/idb.js"');
}

interface DbModule {
  openDatabase(kind: string, userId: string, options?: { onVersionChange?: () => void }): Promise<IdbpDb>;
  openVersioned(name: string, upgrades: ((db: IdbpDb, tx: unknown) => void)[]): Promise<IdbpDb>;
  deleteDatabase(kind: string, userId: string): Promise<void>;
}
/** The slice of idb's database used here. */
interface IdbpDb {
  version: number;
  objectStoreNames: DOMStringList;
  get(store: string, key: unknown): Promise<unknown>;
  getAll(store: string): Promise<unknown[]>;
  getFromIndex(store: string, index: string, key: unknown): Promise<unknown>;
  put(store: string, value: unknown, key?: unknown): Promise<unknown>;
  createObjectStore(name: string): unknown;
  close(): void;
}
declare global {
  interface Window {
    hearthDb: DbModule;
  }
}

describeWithBrowser("web app databases (Chromium)", () => {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    const files: Record<string, { body: string; type: string }> = {
      "/": {
        type: "text/html",
        body: '<!doctype html><script type="module">import * as db from "/db.js"; window.hearthDb = db;</script>',
      },
      "/db.js": { type: "text/javascript", body: dbModule() },
      "/idb.js": {
        type: "text/javascript",
        body: readFileSync(resolve(ROOT, "node_modules/idb/build/index.js"), "utf8"),
      },
    };
    await page.route(`${ORIGIN}/**`, (route) => {
      const file = files[new URL(route.request().url()).pathname];
      return file
        ? route.fulfill({ status: 200, contentType: file.type, body: file.body })
        : route.fulfill({ status: 404, body: "" });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => window.hearthDb !== undefined);
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
  });

  it("opens databases the earlier hand-written openers made, with every record kept", async () => {
    const read = await page.evaluate(async () => {
      const request = <T>(req: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      /** Exactly what each store's own opener did before db.ts (version 1). */
      const makeOld = (name: string, create: (db: IDBDatabase) => void) =>
        new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open(name, 1);
          req.onupgradeneeded = () => create(req.result);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      const old = await makeOld("hearth.usr_old", (db) => {
        db.createObjectStore("messages", { keyPath: ["conversationId", "seq"] }).createIndex(
          "messageId",
          "messageId",
        );
        db.createObjectStore("cursors");
        db.createObjectStore("outbox", { keyPath: "messageId" });
        db.createObjectStore("meta");
      });
      const tx = old.transaction(["messages", "cursors", "outbox", "meta"], "readwrite");
      tx.objectStore("messages").put({ conversationId: "cnv_1", seq: 7, messageId: "msg_7", kind: "text" });
      tx.objectStore("cursors").put(7, "cnv_1");
      tx.objectStore("outbox").put({ messageId: "msg_8", conversationId: "cnv_1" });
      tx.objectStore("meta").put({ delivered: 3, read: 2 }, "watermarks:cnv_1");
      await new Promise((resolve) => {
        tx.oncomplete = resolve;
      });
      old.close();
      const keys = await makeOld("hearth.keys.usr_old", (db) => db.createObjectStore("keys"));
      await request(
        keys
          .transaction("keys", "readwrite")
          .objectStore("keys")
          .put(Uint8Array.of(1, 2, 3), "root"),
      );
      keys.close();
      const search = await makeOld("hearth-search.usr_old", (db) => db.createObjectStore("search"));
      await request(search.transaction("search", "readwrite").objectStore("search").put({ v: 1 }, "index"));
      search.close();

      const { openDatabase } = window.hearthDb;
      const messages = await openDatabase("messages", "usr_old");
      const keysDb = await openDatabase("keys", "usr_old");
      const searchDb = await openDatabase("search", "usr_old");
      const out = {
        versions: [messages.version, keysDb.version, searchDb.version],
        cursor: await messages.get("cursors", "cnv_1"),
        byId: await messages.getFromIndex("messages", "messageId", "msg_7"),
        outbox: await messages.getAll("outbox"),
        meta: await messages.get("meta", "watermarks:cnv_1"),
        root: Array.from((await keysDb.get("keys", "root")) as Uint8Array),
        index: await searchDb.get("search", "index"),
      };
      for (const db of [messages, keysDb, searchDb]) db.close();
      return out;
    });
    expect(read).toEqual({
      versions: [1, 1, 1],
      cursor: 7,
      byId: { conversationId: "cnv_1", seq: 7, messageId: "msg_7", kind: "text" },
      outbox: [{ messageId: "msg_8", conversationId: "cnv_1" }],
      meta: { delivered: 3, read: 2 },
      root: [1, 2, 3],
      index: { v: 1 },
    });
  });

  it("runs each upgrade step once, in order, keeping the data of earlier versions", async () => {
    const result = await page.evaluate(async () => {
      const { openVersioned } = window.hearthDb;
      const ran: string[] = [];
      const first = (db: IdbpDb) => {
        ran.push("first");
        db.createObjectStore("notes");
      };
      const second = (db: IdbpDb) => {
        ran.push("second");
        db.createObjectStore("labels");
      };
      const v1 = await openVersioned("upgrade-test", [first]);
      await v1.put("notes", "kept", "n1");
      v1.close();
      const v2 = await openVersioned("upgrade-test", [first, second]);
      const out = {
        ran,
        version: v2.version,
        stores: Array.from(v2.objectStoreNames),
        note: await v2.get("notes", "n1"),
      };
      v2.close();
      return out;
    });
    expect(result).toEqual({
      ran: ["first", "second"],
      version: 2,
      stores: ["labels", "notes"],
      note: "kept",
    });
  });

  it("deletes a database while a connection is open: the connection is told and closes", async () => {
    const result = await page.evaluate(async () => {
      const { openDatabase, deleteDatabase } = window.hearthDb;
      let told = false;
      const db: IdbpDb = await openDatabase("search", "usr_gone", {
        onVersionChange: () => {
          told = true;
          db.close();
        },
      });
      await db.put("search", { v: 1 }, "index");
      await deleteDatabase("search", "usr_gone");
      const left = (await indexedDB.databases()).map((d) => d.name);
      return { told, left: left.includes("hearth-search.usr_gone") };
    });
    expect(result).toEqual({ told: true, left: false });
  });
});
