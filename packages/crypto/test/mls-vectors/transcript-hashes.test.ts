import type { CiphersuiteImpl } from "ts-mls";
import { describe, expect } from "vitest";
import { hex, planSuiteCases, registerSuiteCases } from "../support/mls-vectors.ts";
import {
  authenticatedContentDecoder,
  contentTypes,
  createConfirmedHash,
  createInterimHash,
  decode,
} from "../support/ts-mls-internals.ts";

interface TranscriptCase {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

async function run(x: TranscriptCase, impl: CiphersuiteImpl): Promise<void> {
  const ac = decode(authenticatedContentDecoder, hex(x.authenticated_content));
  if (ac === undefined) throw new Error("AuthenticatedContent did not decode");
  if (ac.content.contentType !== contentTypes.commit || ac.auth.contentType !== contentTypes.commit) {
    throw new Error("AuthenticatedContent is not a commit");
  }
  const tag = ac.auth.confirmationTag;
  // confirmation_tag == MAC(confirmation_key, confirmed_transcript_hash_after)
  expect(
    await impl.hash.verifyMac(hex(x.confirmation_key), tag, hex(x.confirmed_transcript_hash_after)),
  ).toBe(true);

  const input = { wireformat: ac.wireformat, content: ac.content, signature: ac.auth.signature };
  const confirmed = await createConfirmedHash(hex(x.interim_transcript_hash_before), input, impl.hash);
  expect(confirmed).toEqual(hex(x.confirmed_transcript_hash_after));
  expect(await createInterimHash(confirmed, tag, impl.hash)).toEqual(hex(x.interim_transcript_hash_after));
}

const plan = await planSuiteCases<TranscriptCase>("transcript-hashes.json");
describe("MLS vectors: transcript-hashes.json", () => registerSuiteCases(plan, run));
