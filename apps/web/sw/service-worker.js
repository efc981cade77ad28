/*
 * Hearth's service worker. It keeps the app shell — and with it the crisis directory, which is
 * bundled into the app's JavaScript — available with no network, so "Get help now" always opens.
 *
 * Built by build/service-worker-plugin.ts, which replaces PRECACHE below with the list of built
 * files and a version derived from their contents (a new build is a new service worker).
 *
 * Strategy: precached files are served from the cache first (they are content-hashed or
 * versioned with this worker); page navigations get the cached app shell, so the app opens
 * instantly even on a poor connection. The API (/v1, /healthz) is never touched: messages
 * are not cached here.
 */

const PRECACHE = /* precache-manifest */ { version: "dev", urls: ["/index.html"] };
const CACHE = `hearth-shell-${PRECACHE.version}`;
const SHELL = "/index.html";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.urls.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("hearth-shell-") && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function isApi(url) {
  return url.pathname.startsWith("/v1/") || url.pathname === "/v1" || url.pathname === "/healthz";
}

// Notifications (push and click) are in push.js, appended to this file at build time.

// The page asks for Hearth's notifications to go (it came to the front, everything was read, sign-out,
// quick exit). Done here because a page leaving by quick exit can't wait for it.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "clear-notifications") return;
  event.waitUntil(
    self.registration.getNotifications({ tag: "hearth-new-message" }).then((shown) => {
      for (const n of shown) n.close();
    }),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isApi(url)) return;

  // App routes ("/conversations", "/invite") get the shell; a file opened directly does not.
  if (request.mode === "navigate" && !/\.[A-Za-z0-9]+$/.test(url.pathname)) {
    event.respondWith(
      caches
        .open(CACHE)
        .then((cache) => cache.match(SHELL))
        .then((cached) => cached ?? fetch(request)),
    );
    return;
  }

  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(url.pathname))
      .then((cached) => cached ?? fetch(request)),
  );
});
