import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A directory of its own under the OS temp dir; `remove()` deletes it and everything in it. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

/** Makes a fresh temp directory for one test. */
export async function makeTempDir(prefix = "hearth-test-"): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
