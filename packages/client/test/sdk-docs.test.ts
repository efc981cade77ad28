import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HearthApi, SDK_ERROR_CODES } from "../src/index.ts";

const doc = readFileSync(new URL("../../../docs/sdk.md", import.meta.url), "utf8");
const section = (title: string) => {
  const start = doc.indexOf(title);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const next = doc.indexOf("\n## ", start + title.length);
  return doc.slice(start, next < 0 ? undefined : next);
};

describe("docs/sdk.md keeps up with the HTTP API", () => {
  it("documents every error code the SDK adds to the protocol's", () => {
    const errors = section("### Errors and timeouts");
    for (const code of SDK_ERROR_CODES) expect(errors, code).toContain(`| \`${code}\` |`);
  });

  it("names every method of HearthApi", () => {
    const api = section("## The HTTP API");
    const methods = Object.getOwnPropertyNames(HearthApi.prototype).filter((m) => m !== "constructor");
    expect(methods.length).toBeGreaterThan(30);
    for (const m of methods) expect(api.includes(`\`${m}\``) || api.includes(`.${m}(`), m).toBe(true);
  });
});
