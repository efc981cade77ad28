/**
 * The push services a subscription's endpoint may point at, by default: Chrome and Edge (FCM),
 * Firefox (Mozilla autopush), Safari (Apple), and Windows (WNS). The server POSTs to whatever
 * endpoint a device registers, so anything else is refused: an endpoint must not be a way to make
 * the server send requests into its own network.
 */
export const DEFAULT_PUSH_ORIGINS: readonly string[] = Object.freeze([
  "https://fcm.googleapis.com",
  "https://*.push.services.mozilla.com",
  "https://*.push.apple.com",
  "https://*.notify.windows.com",
]);

/**
 * Does `endpoint` match one of `origins`? Each is `scheme://host[:port]`; the host may start with
 * `*.` (any subdomain, not the bare domain), the port may be `*` (any; tests on loopback).
 *
 * @example
 * endpointAllowed("https://fcm.googleapis.com/fcm/send/abc", DEFAULT_PUSH_ORIGINS); // true
 */
export function endpointAllowed(endpoint: string, origins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return origins.some((o) => {
    const m = /^(https?):\/\/([^/:]+)(?::(\d+|\*))?$/.exec(o);
    if (!m) return false;
    const [, scheme, host = "", port] = m;
    if (url.protocol !== `${scheme}:`) return false;
    if (port !== "*" && url.port !== (port ?? "")) return false;
    const h = url.hostname.toLowerCase();
    return host.startsWith("*.") ? h.endsWith(host.slice(1).toLowerCase()) : h === host.toLowerCase();
  });
}
