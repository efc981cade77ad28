/**
 * Loading the official MLS interoperability vectors, kept in the repository at
 * `packages/crypto/test/vectors/mls/` (origin and commit in the README there), and resolving the
 * cipher suites ts-mls can run on this install.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hexToBytes as nobleHexToBytes } from "@noble/hashes/utils.js";
import type { CiphersuiteImpl } from "ts-mls";
import { defaultCryptoProvider } from "ts-mls";
import { expect, it } from "vitest";

/** Absolute path of the vector directory (inside the repository; never a folder beside it). */
export const vectorDir = fileURLToPath(new URL("../vectors/mls/", import.meta.url));
// A missing vector directory is a broken checkout, never a reason to skip.
if (!existsSync(resolve(vectorDir, "README.md")))
  throw new Error(`MLS test vectors not found in ${vectorDir}`);

/**
 * The vector files whose SHA-256 differs from `SHA256SUMS` (or that it does not list), and the
 * listed files that are missing: empty when the copy is intact.
 */
export function vectorChecksumProblems(): string[] {
  const listed = new Map<string, string>();
  for (const line of readFileSync(resolve(vectorDir, "SHA256SUMS"), "utf8").split("\n")) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) listed.set(m[2], m[1]);
  }
  const problems: string[] = [];
  for (const file of readdirSync(vectorDir).filter((f) => f.endsWith(".json"))) {
    const want = listed.get(file);
    const got = createHash("sha256")
      .update(readFileSync(resolve(vectorDir, file)))
      .digest("hex");
    if (want !== got) problems.push(want ? `${file} changed` : `${file} is not listed`);
    listed.delete(file);
  }
  for (const file of listed.keys()) problems.push(`${file} is missing`);
  return problems;
}

/** Parse one vector file (a JSON array of cases). */
export function loadVectors<T>(file: string): T[] {
  const parsed: unknown = JSON.parse(readFileSync(resolve(vectorDir, file), "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array`);
  return parsed as T[];
}

/** Hex (possibly empty) to bytes. */
export function hex(s: string): Uint8Array {
  return nobleHexToBytes(s);
}

/** What a suite probe found: an implementation, or why the suite cannot run here. */
export type SuiteProbe = { supported: true; impl: CiphersuiteImpl } | { supported: false; reason: string };

const probes = new Map<number, SuiteProbe>();

/**
 * Resolve every cipher suite 1–7 once. ts-mls needs optional peer packages for some suites
 * (ChaCha20-Poly1305 for 3 and 6, X448 for 4 and 6); when they are absent it throws a
 * DependencyError, which we record as the skip reason.
 */
export async function probeSuites(): Promise<Map<number, SuiteProbe>> {
  if (probes.size > 0) return probes;
  for (const id of [1, 2, 3, 4, 5, 6, 7]) {
    try {
      const impl = await defaultCryptoProvider.getCiphersuiteImpl(id);
      // Exercise the KEM and signature so a lazily-loaded missing dependency shows up now.
      await impl.hpke.generateKeyPair();
      await impl.signature.keygen();
      probes.set(id, { supported: true, impl });
    } catch (error) {
      probes.set(id, { supported: false, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return probes;
}

/** One vector case, prepared for `it` / `it.skip`. */
export interface PlannedCase<T> {
  name: string;
  data: T;
  impl: CiphersuiteImpl | undefined;
  skipReason: string | undefined;
}

/** Per-file counts of run and skipped cases, printed by each suite's summary test. */
export interface CaseCounts {
  file: string;
  total: number;
  run: number;
  skipped: number;
  skippedBySuite: Record<number, string>;
}

/**
 * Plan the cases of a file whose entries carry `cipher_suite`: each becomes a test, skipped with a
 * stated reason when the suite is not available in this install.
 */
export async function planSuiteCases<T extends { cipher_suite: number }>(
  file: string,
  select: (cipherSuite: number) => boolean = () => true,
): Promise<{ cases: PlannedCase<T>[]; counts: CaseCounts }> {
  const all = loadVectors<T>(file)
    .map((data, index) => ({ data, index }))
    .filter(({ data }) => select(data.cipher_suite));
  const suites = await probeSuites();
  const label = all.length === loadVectors<T>(file).length ? file : `${file} (selected suites)`;
  const counts: CaseCounts = { file: label, total: all.length, run: 0, skipped: 0, skippedBySuite: {} };
  const cases = all.map(({ data, index }) => {
    const probe = suites.get(data.cipher_suite);
    const name = `${file} #${index} (cipher suite ${data.cipher_suite})`;
    if (probe?.supported) {
      counts.run += 1;
      return { name, data, impl: probe.impl, skipReason: undefined };
    }
    const reason = probe?.reason ?? `cipher suite ${data.cipher_suite} is not an RFC 9420 suite`;
    counts.skipped += 1;
    counts.skippedBySuite[data.cipher_suite] = reason;
    return { name: `${name} — skipped: ${reason}`, data, impl: undefined, skipReason: reason };
  });
  return { cases, counts };
}

/** Human summary line, e.g. for the suite's coverage test. */
export function describeCounts(c: CaseCounts): string {
  const skipped = Object.entries(c.skippedBySuite)
    .map(([suite, reason]) => `suite ${suite}: ${reason}`)
    .join("; ");
  return `${c.file}: ${c.run}/${c.total} cases run, ${c.skipped} skipped${skipped ? ` (${skipped})` : ""}`;
}

/**
 * Register one vitest case per vector (skipped ones with their reason in the name) plus a
 * coverage case that prints the counts and insists the suite we ship (1) was never skipped.
 */
export function registerSuiteCases<T extends { cipher_suite: number }>(
  plan: { cases: PlannedCase<T>[]; counts: CaseCounts },
  run: (data: T, impl: CiphersuiteImpl) => Promise<void> | void,
  timeoutMs?: number,
): void {
  for (const c of plan.cases) {
    const impl = c.impl;
    if (impl === undefined) it.skip(c.name, () => {});
    else it(c.name, () => run(c.data, impl), timeoutMs);
  }
  it(`coverage: ${plan.counts.file}`, () => {
    console.info(describeCounts(plan.counts));
    expect(plan.counts.run).toBeGreaterThan(0);
    expect(plan.counts.skippedBySuite[1]).toBeUndefined();
    expect(plan.counts.run + plan.counts.skipped).toBe(plan.counts.total);
  });
}
