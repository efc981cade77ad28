import { describe, expect, it } from "vitest";
import { hex, loadVectors } from "../support/mls-vectors.ts";
import {
  addDecoder,
  addEncoder,
  commitDecoder,
  commitEncoder,
  decode,
  encode,
  externalInitDecoder,
  externalInitEncoder,
  groupContextExtensionsDecoder,
  groupContextExtensionsEncoder,
  groupSecretsDecoder,
  groupSecretsEncoder,
  mlsMessageDecoder,
  mlsMessageEncoder,
  pskDecoder,
  pskEncoder,
  ratchetTreeDecoder,
  ratchetTreeEncoder,
  reinitDecoder,
  reinitEncoder,
  removeDecoder,
  removeEncoder,
  updateDecoder,
  updateEncoder,
  wireformats,
} from "../support/ts-mls-internals.ts";

interface MessagesCase {
  mls_welcome: string;
  mls_group_info: string;
  mls_key_package: string;
  ratchet_tree: string;
  group_secrets: string;
  add_proposal: string;
  update_proposal: string;
  remove_proposal: string;
  pre_shared_key_proposal: string;
  re_init_proposal: string;
  external_init_proposal: string;
  group_context_extensions_proposal: string;
  commit: string;
  public_message_application: string;
  public_message_proposal: string;
  public_message_commit: string;
  private_message: string;
}

/** decode → encode must reproduce the input byte for byte (and consume all of it). */
function roundTrip<T>(
  field: string,
  bytes: Uint8Array,
  dec: Parameters<typeof decode<T>>[0],
  enc: Parameters<typeof encode<T>>[0],
): T {
  const value = decode(dec, bytes);
  if (value === undefined) throw new Error(`${field} did not decode`);
  expect(encode(enc, value), field).toEqual(bytes);
  return value;
}

const mlsMessages: [keyof MessagesCase, number][] = [
  ["mls_welcome", wireformats.mls_welcome],
  ["mls_group_info", wireformats.mls_group_info],
  ["mls_key_package", wireformats.mls_key_package],
  ["public_message_application", wireformats.mls_public_message],
  ["public_message_proposal", wireformats.mls_public_message],
  ["public_message_commit", wireformats.mls_public_message],
  ["private_message", wireformats.mls_private_message],
];

function run(x: MessagesCase): void {
  for (const [field, wireformat] of mlsMessages) {
    const m = roundTrip(field, hex(x[field]), mlsMessageDecoder, mlsMessageEncoder);
    expect(m.wireformat, field).toBe(wireformat);
  }
  roundTrip("ratchet_tree", hex(x.ratchet_tree), ratchetTreeDecoder, ratchetTreeEncoder);
  roundTrip("group_secrets", hex(x.group_secrets), groupSecretsDecoder, groupSecretsEncoder);
  roundTrip("add_proposal", hex(x.add_proposal), addDecoder, addEncoder);
  roundTrip("update_proposal", hex(x.update_proposal), updateDecoder, updateEncoder);
  roundTrip("remove_proposal", hex(x.remove_proposal), removeDecoder, removeEncoder);
  roundTrip("pre_shared_key_proposal", hex(x.pre_shared_key_proposal), pskDecoder, pskEncoder);
  roundTrip("re_init_proposal", hex(x.re_init_proposal), reinitDecoder, reinitEncoder);
  roundTrip(
    "external_init_proposal",
    hex(x.external_init_proposal),
    externalInitDecoder,
    externalInitEncoder,
  );
  roundTrip(
    "group_context_extensions_proposal",
    hex(x.group_context_extensions_proposal),
    groupContextExtensionsDecoder,
    groupContextExtensionsEncoder,
  );
  roundTrip("commit", hex(x.commit), commitDecoder, commitEncoder);
}

const cases = loadVectors<MessagesCase>("messages.json");

describe("MLS vectors: messages.json (suite-independent wire encoding)", () => {
  for (const [index, x] of cases.entries()) it(`messages.json #${index}`, () => run(x));
  it("coverage: messages.json", () => {
    console.info(`messages.json: ${cases.length}/${cases.length} cases run`);
    expect(cases.length).toBeGreaterThan(0);
  });
});
