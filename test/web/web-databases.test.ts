import { describe, expect, it } from "vitest";
import { databaseNameOf, databaseVersion } from "../../apps/web/src/storage/db.ts";

/**
 * The names and versions of the web app's IndexedDB databases are a contract with every browser that
 * already holds them: a renamed database is an empty one (history, outbox and device keys lost), and a
 * lower version fails to open. The upgrades themselves run in the browser tests (test/browser).
 */
describe("web app databases", () => {
  it("keep the names existing users' databases have", () => {
    expect(databaseNameOf("messages", "usr_a")).toBe("hearth.usr_a");
    expect(databaseNameOf("keys", "usr_a")).toBe("hearth.keys.usr_a");
    expect(databaseNameOf("search", "usr_a")).toBe("hearth-search.usr_a");
  });

  it("never go below the versions already shipped (each was 1 before the shared opener)", () => {
    expect(databaseVersion("messages")).toBeGreaterThanOrEqual(1);
    expect(databaseVersion("keys")).toBeGreaterThanOrEqual(1);
    expect(databaseVersion("search")).toBeGreaterThanOrEqual(1);
  });
});
