// CreditDesk service worker: precaches the app shell so the app opens with no network after
// one visit. tools/precache.mjs replaces the two placeholders at build time. Every URL is relative
// to this file, so the site works at the root of a host or under any sub-path.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `creditdesk-${VERSION}`;
// The folder the site is served from ("/" or "/creditdesk/"): the scope of this worker.
const BASE = new URL("./", self.location).pathname;
const SHELL = new URL("./index.html", self.location).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("creditdesk-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The server's API (sync, sign-in, the event stream) always goes to the network.
  if (url.pathname.startsWith(BASE + "api/")) return;
  if (request.mode === "navigate") {
    // Every route of the single-page app is the same shell.
    event.respondWith(caches.match(SHELL).then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
});
