import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestServer } from "@hearth/server/testing";
import { filesUnder } from "@hearth/server/testing";

export { filesUnder };

/** The stored file of a blob in a test server's filesystem blob store. */
export function blobFile(t: TestServer, blobId: string): string {
  const file = filesUnder(join(t.dataDir, "blobs")).find((f) => f.endsWith(`/${blobId}`));
  if (!file) throw new Error(`no file for ${blobId}`);
  return file;
}

/** Reads a file, or an empty buffer when it does not exist (a -wal that was checkpointed away). */
export function readIfThere(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * Every form in which `marker` could show up in stored bytes: raw UTF-8, hex (both cases), and
 * base64 and base64url at each of the three byte alignments (the middle of the encoding, which does
 * not depend on the bytes around the marker).
 */
export function markerForms(marker: string): { form: string; bytes: Buffer }[] {
  const raw = Buffer.from(marker, "utf8");
  const forms: { form: string; bytes: Buffer }[] = [
    { form: "utf8", bytes: raw },
    { form: "hex", bytes: Buffer.from(raw.toString("hex")) },
    { form: "HEX", bytes: Buffer.from(raw.toString("hex").toUpperCase()) },
  ];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), raw]).toString("base64");
    // Drop the group that mixes in the k leading bytes, and the last (partial or padded) group.
    const middle = b64.slice(k === 0 ? 0 : 4, b64.length - 4);
    forms.push({ form: `base64@${k}`, bytes: Buffer.from(middle) });
    forms.push({
      form: `base64url@${k}`,
      bytes: Buffer.from(middle.replaceAll("+", "-").replaceAll("/", "_")),
    });
  }
  return forms;
}

/** The forms of `marker` that occur in `haystack`. */
/** {@link markerForms} as strings, for scanning text (a log, or a file read as latin1). */
export function markerStrings(marker: string): string[] {
  return markerForms(marker).map((f) => f.bytes.toString("latin1"));
}

export function findMarker(haystack: Buffer, marker: string): string[] {
  return markerForms(marker)
    .filter((f) => haystack.includes(f.bytes))
    .map((f) => f.form);
}

/**
 * A test server's database as text (latin1 keeps every byte one character): the SQLite file and
 * whichever of its WAL, shared-memory and journal files exist. What a canary's control reads.
 */
export function databaseHaystacks(t: TestServer): { name: string; text: string }[] {
  const files = [t.dbPath, `${t.dbPath}-wal`, `${t.dbPath}-shm`, `${t.dbPath}-journal`].filter((f) =>
    existsSync(f),
  );
  if (!files.includes(t.dbPath)) throw new Error(`no database file at ${t.dbPath}`);
  return files.map((f) => ({ name: f, text: readFileSync(f).toString("latin1") }));
}

/** Everything of a test server a canary scans: {@link databaseHaystacks} and the server's log. */
export function storedHaystacks(t: TestServer): { name: string; text: string }[] {
  return [...databaseHaystacks(t), { name: "server log", text: t.logs() }];
}
