import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { AT_REST_KEY_BYTES } from "./field-codec.ts";

/** The key file's name inside the data directory. */
export const AT_REST_KEY_FILE = "at-rest.key";

/** Where the at-rest key comes from (docs/operations.md, "Encryption at rest"). */
export interface AtRestKeySource {
  /** `HEARTH_AT_REST_KEY` (32 bytes, base64 or hex) and `HEARTH_AT_REST` (`on` / `off`). */
  env: NodeJS.ProcessEnv;
  /** The data directory, home of {@link AT_REST_KEY_FILE}. */
  dataDir: string;
  /** Create the key file when `HEARTH_AT_REST=on` and there is none (the server's first start). */
  create?: boolean;
}

/**
 * The at-rest key, or undefined when encryption at rest is off. In order: `HEARTH_AT_REST_KEY`;
 * else the key file `<dataDir>/at-rest.key` if it exists (once on, it stays on); else, with
 * `HEARTH_AT_REST=on` and `create`, a new random key written to that file with mode 0600. Throws, in
 * words, on a malformed key or a key file that other users may read.
 *
 * @example
 * const key = loadAtRestKey({ env: process.env, dataDir, create: true });
 * const storage = await openSqliteStorage({ path, atRestKey: key });
 */
export function loadAtRestKey(source: AtRestKeySource): Uint8Array | undefined {
  const { env, dataDir } = source;
  const mode = (env.HEARTH_AT_REST ?? "").trim().toLowerCase();
  if (mode !== "" && mode !== "on" && mode !== "off") {
    throw new Error(`HEARTH_AT_REST must be "on" or "off", not ${JSON.stringify(env.HEARTH_AT_REST)}`);
  }
  if (env.HEARTH_AT_REST_KEY) return parseAtRestKey(env.HEARTH_AT_REST_KEY, "HEARTH_AT_REST_KEY");
  const file = join(dataDir, AT_REST_KEY_FILE);
  if (existsSync(file)) return readKeyFile(file);
  if (mode !== "on") return undefined;
  if (!source.create) {
    throw new Error(
      `HEARTH_AT_REST=on but there is no key file at ${file} (the server makes it on first start)`,
    );
  }
  const key = new Uint8Array(randomBytes(AT_REST_KEY_BYTES));
  // `wx`: never overwrite a key that appeared meanwhile (another process starting at the same time).
  const fd = openSync(file, "wx", 0o600);
  try {
    writeSync(fd, `${Buffer.from(key).toString("base64")}\n`);
  } finally {
    closeSync(fd);
  }
  return key;
}

/** Reads a key file, refusing one that others may read (the key is the database's confidentiality). */
export function readKeyFile(file: string): Uint8Array {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `the at-rest key file ${file} is open to other users (mode ${mode.toString(8)}); chmod 600 it`,
    );
  }
  return parseAtRestKey(readFileSync(file, "utf8"), file);
}

/** Parses 32 bytes written as base64 (or base64url) or as 64 hex digits. */
export function parseAtRestKey(text: string, where: string): Uint8Array {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, "hex")
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t)
      ? Buffer.from(t, t.includes("-") || t.includes("_") ? "base64url" : "base64")
      : Buffer.alloc(0);
  if (bytes.length !== AT_REST_KEY_BYTES) {
    throw new Error(`${where} is not a ${AT_REST_KEY_BYTES}-byte key in base64 or hex`);
  }
  return new Uint8Array(bytes);
}
