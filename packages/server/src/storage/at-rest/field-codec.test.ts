import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../../testing/temp-dir.ts";
import { AT_REST_KEY_FILE, loadAtRestKey, parseAtRestKey } from "./at-rest-key.ts";
import { AtRestCipher, PLAINTEXT_FIELDS, SEALED_PREFIX } from "./field-codec.ts";

const key = () => new Uint8Array(randomBytes(32));

describe("AtRestCipher", () => {
  it("round-trips any text, and never stores it in the clear", () => {
    const c = new AtRestCipher(key());
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 80 }),
        fc.string({ maxLength: 30 }),
        (value, id) => {
          const stored = c.seal("users.display_name", id, value);
          expect(stored.startsWith(SEALED_PREFIX)).toBe(true);
          if (value.length >= 4) expect(stored).not.toContain(value);
          expect(c.open("users.display_name", id, stored)).toBe(value);
        },
      ),
    );
  });

  it("seals the same value differently each time (random nonces)", () => {
    const c = new AtRestCipher(key());
    expect(c.seal("users.login", "usr_1", "ana")).not.toBe(c.seal("users.login", "usr_1", "ana"));
  });

  it("binds a value to its column and row: moved elsewhere it does not open", () => {
    const c = new AtRestCipher(key());
    const stored = c.seal("users.display_name", "usr_1", "Ana");
    expect(() => c.open("users.display_name", "usr_2", stored)).toThrow(/does not open/);
    expect(() => c.open("users.login", "usr_1", stored)).toThrow(/does not open/);
  });

  it("refuses another key, altered bytes, truncation and plaintext, with a reason", () => {
    const c = new AtRestCipher(key());
    const stored = c.seal("users.email", "usr_1", "ana@example.org");
    expect(() => new AtRestCipher(key()).open("users.email", "usr_1", stored)).toThrow(/does not open/);
    const flipped = `${stored.slice(0, -2)}${stored.endsWith("A") ? "B" : "A"}${stored.slice(-1)}`;
    expect(() => c.open("users.email", "usr_1", flipped)).toThrow();
    expect(() => c.open("users.email", "usr_1", `${SEALED_PREFIX}AAAA`)).toThrow(/truncated/);
    expect(() => c.open("users.email", "usr_1", "ana@example.org")).toThrow(/not encrypted/);
  });

  it("gives a login one blind index however it is typed, and a different one under another key", () => {
    const k = key();
    const c = new AtRestCipher(k);
    expect(c.loginKey(" Ana.B ")).toBe(c.loginKey("ana.b"));
    expect(c.loginKey("ana.b")).toMatch(/^[0-9a-f]{64}$/);
    expect(c.loginKey("ana.b")).not.toBe(c.loginKey("ana.c"));
    expect(new AtRestCipher(k).loginKey("ana.b")).toBe(c.loginKey("ana.b"));
    expect(new AtRestCipher(key()).loginKey("ana.b")).not.toBe(c.loginKey("ana.b"));
  });

  it("takes only 32-byte keys", () => {
    expect(() => new AtRestCipher(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it("plaintext codec: values and logins as they are", () => {
    expect(PLAINTEXT_FIELDS.seal("users.login", "u", "ana")).toBe("ana");
    expect(PLAINTEXT_FIELDS.loginKey("ana")).toBe("ana");
  });
});

describe("parseAtRestKey", () => {
  it("reads 32 bytes as base64, base64url or hex", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const b = Buffer.from(bytes);
        for (const text of [
          b.toString("base64"),
          b.toString("base64url"),
          b.toString("hex"),
          ` ${b.toString("hex")}\n`,
        ]) {
          expect(Buffer.from(parseAtRestKey(text, "k")).equals(b)).toBe(true);
        }
      }),
    );
  });

  it("refuses anything else with a clear message", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => {
        let bytes: Uint8Array | undefined;
        try {
          bytes = parseAtRestKey(text, "HEARTH_AT_REST_KEY");
        } catch (err) {
          expect((err as Error).message).toMatch(/HEARTH_AT_REST_KEY is not a 32-byte key/);
          return;
        }
        expect(bytes?.length).toBe(32);
      }),
    );
    expect(() => parseAtRestKey(Buffer.alloc(16).toString("base64"), "k")).toThrow(/32-byte/);
  });
});

describe("loadAtRestKey", () => {
  it("is off by default, and makes a 0600 key file on first start with HEARTH_AT_REST=on", async () => {
    const dir = await makeTempDir();
    try {
      expect(loadAtRestKey({ env: {}, dataDir: dir.path, create: true })).toBeUndefined();
      expect(() => loadAtRestKey({ env: { HEARTH_AT_REST: "on" }, dataDir: dir.path })).toThrow(
        /no key file/,
      );
      const made = loadAtRestKey({ env: { HEARTH_AT_REST: "on" }, dataDir: dir.path, create: true });
      const file = join(dir.path, AT_REST_KEY_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(made?.length).toBe(32);
      // Once there, the file is used (on or unset) and never replaced.
      const before = readFileSync(file);
      expect(loadAtRestKey({ env: {}, dataDir: dir.path, create: true })).toEqual(made);
      expect(readFileSync(file).equals(before)).toBe(true);
      chmodSync(file, 0o644);
      expect(() => loadAtRestKey({ env: {}, dataDir: dir.path })).toThrow(/open to other users/);
    } finally {
      await dir.remove();
    }
  });

  it("takes HEARTH_AT_REST_KEY first, and refuses a bad HEARTH_AT_REST", async () => {
    const dir = await makeTempDir();
    try {
      const k = randomBytes(32);
      writeFileSync(join(dir.path, AT_REST_KEY_FILE), randomBytes(32).toString("base64"), { mode: 0o600 });
      const got = loadAtRestKey({ env: { HEARTH_AT_REST_KEY: k.toString("base64") }, dataDir: dir.path });
      expect(Buffer.from(got ?? []).equals(k)).toBe(true);
      expect(() => loadAtRestKey({ env: { HEARTH_AT_REST: "yes" }, dataDir: dir.path })).toThrow(
        /"on" or "off"/,
      );
    } finally {
      await dir.remove();
    }
  });
});
