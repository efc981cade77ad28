import {
  archiveTransferCode,
  beginArchiveTransfer,
  completeArchiveTransfer,
  sendArchiveTransfer,
} from "@hearth/crypto";
import { base64ToBytes, bytesToBase64 } from "@hearth/protocol";
import { adoptRoot } from "./device-setup.ts";
import { parseTransferQr } from "./e2ee-payload.ts";
import type { E2eeState } from "./e2ee-state.ts";
import { EncryptionError } from "./e2ee-types.ts";

/*
 * Bringing the archive root to a new device: the new device opens a mailbox and shows a QR code,
 * an existing device seals the root to it, and both show a short code the user compares.
 */

/** New device: open a mailbox and show the QR; the root arrives when the old device confirms. */
export async function startTransfer(
  s: E2eeState,
  typedCode?: () => Promise<string>,
): Promise<{ qrPayload: string; shortCode: Promise<string>; done: Promise<void> }> {
  const api = s.host.api;
  const box = await api.openTransfer();
  const { qrPayload, session } = beginArchiveTransfer();
  let resolveCode: (c: string) => void = () => undefined;
  let rejectCode: (e: Error) => void = () => undefined;
  const shortCode = new Promise<string>((res, rej) => {
    resolveCode = res;
    rejectCode = rej;
  });
  const done = (async () => {
    const deadline = Date.parse(box.expiresAt);
    let delay = 100;
    for (;;) {
      if (Date.now() > deadline) throw new EncryptionError("transfer_expired");
      const t = await api.readTransfer(box.transferId);
      if (t.body) {
        const message = base64ToBytes(t.body);
        const code = archiveTransferCode(session, message);
        if (!code.ok) throw new EncryptionError(code.code);
        resolveCode(code.value);
        // Strict mode: the user types the code the OLD device shows; a mismatch is refused here.
        const typed = typedCode ? await typedCode() : code.value;
        const root = completeArchiveTransfer(session, message, typed);
        if (!root.ok) throw new EncryptionError(root.code);
        await api.closeTransfer(box.transferId).catch(() => undefined);
        await adoptRoot(s, root.value);
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  })();
  done.catch((err: Error) => rejectCode(err));
  shortCode.catch(() => undefined);
  return { qrPayload: `${box.transferId}.${qrPayload}`, shortCode, done };
}

/** Existing device: seal the root for the new device; `confirm()` sends it. */
export async function approveTransfer(
  s: E2eeState,
  qr: string,
): Promise<{ shortCode: string; confirm(): Promise<void> }> {
  if (!(await s.loadRoot()) || !s.root) throw new EncryptionError("not_set_up");
  const parsed = parseTransferQr(qr);
  const r = parsed ? sendArchiveTransfer(parsed.cryptoQr, s.root) : undefined;
  if (!parsed || !r?.ok) throw new EncryptionError("transfer_qr_malformed");
  const { transferId } = parsed;
  const body = bytesToBase64(r.value.message);
  return {
    shortCode: r.value.confirmationCode,
    confirm: () => s.host.api.putTransfer(transferId, body),
  };
}
