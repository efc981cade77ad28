import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

// Security check finding 9: a dependency running outside the Node.js versions it supports is an
// unplanned risk. README promises the root package's `engines.node`; every package in the lockfile
// must support the lowest version of that promise. `.npmrc` sets engine-strict, so `npm ci` (and CI)
// also refuses an install that breaks it.
const root = join(import.meta.dirname, "..", "..");
const readJson = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8"));

describe("finding 9: engines", () => {
  const promised: string = readJson("package.json").engines.node;
  const lowest = semver.minVersion(promised);

  it("the root package promises a Node.js range", () => {
    expect(lowest?.version).toMatch(/^20\./);
  });

  it("every locked package supports the lowest promised Node.js version", () => {
    const lock = readJson("package-lock.json") as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const unsupported: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      if (!range || !lowest) continue;
      if (!semver.satisfies(lowest, range, { includePrerelease: true })) {
        unsupported.push(`${path}@${pkg.version} needs node ${range}`);
      }
    }
    expect(unsupported).toEqual([]);
  });

  it("npm refuses an install outside a package's engines", () => {
    const npmrc = readFileSync(join(root, ".npmrc"), "utf8");
    expect(npmrc).toMatch(/^engine-strict\s*=\s*true$/m);
  });
});
