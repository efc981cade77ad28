import type { HearthApi } from "@hearth/client";

type SdkModule = typeof import("../state/hearth-session.ts");

let loading: Promise<SdkModule> | undefined;

/**
 * The SDK (`@hearth/client`, with its end-to-end encryption and attachment crypto) and the session
 * built on it, loaded on demand as a separate chunk. The first load — the shell, crisis help,
 * quick exit, the sign-in and invite forms — stays small and usable at once; the SDK arrives
 * right after (it is fetched as soon as the shell has rendered, and the service worker caches it).
 */
export function loadSdk(): Promise<SdkModule> {
  loading ??= import("../state/hearth-session.ts");
  loading.catch(() => {
    loading = undefined; // try again next time (e.g. offline on first visit)
  });
  return loading;
}

/** A `HearthApi` for this server (signed out, or with a token). */
export async function hearthApi(token?: string): Promise<HearthApi> {
  const { HearthApi } = await loadSdk();
  return new HearthApi(token ? { baseUrl: location.origin, token } : { baseUrl: location.origin });
}
