import { decodeKeyPackageBundle, encodeKeyPackageBundle, type KeyPackageBundle } from "@hearth/crypto";
import { bytesToBase64 } from "@hearth/protocol";
import { concat } from "./e2ee-payload.ts";
import { type E2eeState, KEY_PACKAGE_LOW, KEY_PACKAGE_TARGET } from "./e2ee-state.ts";

/*
 * This device's MLS key packages: the private halves live in the key store (`key-packages`, each
 * bundle as `u32 length ‖ bundle`), the public halves on the server for others to claim.
 */

/** The key package bundles this device holds. */
export async function loadKeyPackages(s: E2eeState): Promise<KeyPackageBundle[]> {
  const raw = await s.ks.get("key-packages");
  if (!raw) return [];
  const out: KeyPackageBundle[] = [];
  let o = 0;
  while (o + 4 <= raw.length) {
    const n = new DataView(raw.buffer, raw.byteOffset + o, 4).getUint32(0);
    const b = decodeKeyPackageBundle(raw.subarray(o + 4, o + 4 + n));
    if (b.ok) out.push(b.value);
    o += 4 + n;
  }
  return out;
}

/** Replaces the key package bundles this device holds. */
export async function saveKeyPackages(s: E2eeState, list: KeyPackageBundle[]): Promise<void> {
  const parts = list.map((b) => {
    const e = encodeKeyPackageBundle(b);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, e.length);
    return concat(len, e);
  });
  await s.ks.set("key-packages", concat(...parts));
}

/** Tops up the server's key packages for this device when few are left (or no last-resort one). */
export async function replenishKeyPackages(s: E2eeState): Promise<void> {
  const device = s.device;
  if (!device) return;
  const { available } = await s.host.api.keyPackageCount();
  const have = await loadKeyPackages(s);
  const needLastResort = !have.some((b) => b.lastResort);
  if (available >= KEY_PACKAGE_LOW && !needLastResort) return;
  const engine = await s.engine();
  const fresh = await engine.generateKeyPackages(device, KEY_PACKAGE_TARGET - available, {
    lastResort: needLastResort,
  });
  await saveKeyPackages(s, [...have, ...fresh]);
  const oneTime = fresh.filter((b) => !b.lastResort).map((b) => bytesToBase64(b.keyPackage));
  const last = fresh.find((b) => b.lastResort);
  await s.host.api.uploadKeyPackages(oneTime, last ? bytesToBase64(last.keyPackage) : undefined);
}
