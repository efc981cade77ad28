import {
  createArchiveEnvelope,
  decodeDeviceCertificate,
  decodeSealedContentKey,
  encodeDeviceCertificate,
  openArchiveEnvelope,
  signAsDevice,
  verifyDeviceSignature,
} from "@hearth/crypto";
import { type CodecContext, type DecodeResult, jsonCodec, type MessageContent } from "../payload-codec.ts";
import {
  decodeE2eePayload,
  type E2eePayload,
  encodeE2eePayload,
  mlsPlaintext,
  signedPart,
  splitMlsPlaintext,
} from "./e2ee-payload.ts";
import { type E2eeState, OWN_RECENT_MAX, SIGNATURE_LABEL, sameBytes } from "./e2ee-state.ts";
import { loadGroup, saveGroup } from "./group-store.ts";
import { archiveKeyOf, membersOf, pinnedIdentity } from "./key-directory.ts";

/*
 * Protecting a message (the payload codec): MLS for the devices in the group, the archive copy
 * sealed to every member's archive key, signed by the sending device; and reading one back.
 */

/** Encrypts a message's content into an end-to-end payload. */
export async function protect(s: E2eeState, content: MessageContent, ctx: CodecContext): Promise<Uint8Array> {
  const device = s.device;
  if (!device || !s.me) throw new Error("encryption is not set up: call setUpEncryption() first");
  const json = await jsonCodec.encode(content, ctx);
  const cid = ctx.conversationId;
  s.ownRecent.set(ctx.messageId, json);
  if (s.ownRecent.size > OWN_RECENT_MAX) {
    const oldest = s.ownRecent.keys().next().value;
    if (oldest !== undefined) s.ownRecent.delete(oldest);
  }
  const mls = await s.lock.run(cid, async () => {
    const g = await loadGroup(s, cid);
    if (!g?.active || g.needsUpdate) return new Uint8Array();
    const out = await g.encrypt(mlsPlaintext(ctx.messageId, json));
    await saveGroup(s, cid, g);
    return out;
  });
  const recipients = [];
  for (const userId of await membersOf(s, cid)) {
    const k = await archiveKeyOf(s, userId);
    if (k) recipients.push({ userId, ...k });
  }
  const binding = { conversationId: cid, messageId: ctx.messageId };
  const envelope = await createArchiveEnvelope(json, recipients, binding);
  const signature = signAsDevice(
    device,
    SIGNATURE_LABEL,
    signedPart(cid, ctx.messageId, envelope.ciphertext),
  );
  return encodeE2eePayload({
    mls,
    archiveCiphertext: envelope.ciphertext,
    sealedKeys: new Map(envelope.sealedKeys),
    certificate: encodeDeviceCertificate(device.certificate),
    signature,
  });
}

/** Decrypts a payload: own echo, then MLS, then the archive copy; a coded reason when it cannot. */
export async function unprotect(s: E2eeState, payload: Uint8Array, ctx: CodecContext): Promise<DecodeResult> {
  const p = decodeE2eePayload(payload);
  if (p === "unsupported_version") return { ok: false, reason: "unsupported_version" };
  if (!p) return { ok: false, reason: "malformed_payload" };
  const me = s.me;
  if (!s.ready || !me) return { ok: false, reason: "missing_keys" };
  const cid = ctx.conversationId;
  const own = ctx.senderDeviceId === s.device?.deviceId ? s.ownRecent.get(ctx.messageId) : undefined;
  if (own) {
    // Our own message echoed back (this device encoded exactly these bytes' content).
    s.ownRecent.delete(ctx.messageId);
    return jsonCodec.decode(own, ctx);
  }
  if (p.mls.length > 0) {
    const viaMls = await s.lock.run(cid, async (): Promise<DecodeResult | undefined> => {
      const g = await loadGroup(s, cid);
      if (!g) return undefined;
      const r = await g.processMessage(p.mls);
      if (r.kind !== "application") return undefined;
      await saveGroup(s, cid, g);
      const split = splitMlsPlaintext(r.plaintext);
      if (!split || split.messageId !== ctx.messageId) return { ok: false, reason: "malformed_payload" };
      if (r.sender?.userId !== ctx.senderId || r.sender?.deviceId !== ctx.senderDeviceId)
        return { ok: false, reason: "unverified_sender" };
      s.stats.mls++;
      return jsonCodec.decode(split.content, ctx);
    });
    if (viaMls) return viaMls;
  }
  return decodeArchive(s, p, ctx, me.userId);
}

async function decodeArchive(
  s: E2eeState,
  p: E2eePayload,
  ctx: CodecContext,
  myUserId: string,
): Promise<DecodeResult> {
  const sealed = p.sealedKeys.get(myUserId);
  if (!sealed) return { ok: false, reason: "missing_keys" };
  const header = decodeSealedContentKey(sealed);
  if (!header.ok) return { ok: false, reason: "malformed_payload" };
  const pair = await s.archivePair(header.value.generation);
  const binding = { conversationId: ctx.conversationId, messageId: ctx.messageId };
  const opened = await openArchiveEnvelope(p.archiveCiphertext, sealed, pair, binding);
  if (!opened.ok) return { ok: false, reason: "missing_keys" };
  // Anyone can seal to a public archive key: only the sender device's signature, under a
  // certificate from the sender's pinned identity key, makes the archived copy authentic.
  const cert = decodeDeviceCertificate(p.certificate);
  if (!cert.ok || cert.value.userId !== ctx.senderId || cert.value.deviceId !== ctx.senderDeviceId)
    return { ok: false, reason: "unverified_sender" };
  const pin = ctx.senderId ? await pinnedIdentity(s, ctx.senderId) : undefined;
  if (!pin || !sameBytes(pin, cert.value.identityPublicKey))
    return { ok: false, reason: "unverified_sender" };
  const signed = signedPart(ctx.conversationId, ctx.messageId, p.archiveCiphertext);
  if (!verifyDeviceSignature(cert.value, SIGNATURE_LABEL, signed, p.signature))
    return { ok: false, reason: "unverified_sender" };
  s.stats.archive++;
  return jsonCodec.decode(opened.value, ctx);
}
