/* Saling Sapa · field pages service worker (scope /staf/lapangan/). It keeps the field pages and their
   static files for offline use; it never sees an entry (entries are sealed in IndexedDB by field.js)
   and never caches the key or the sync endpoint. Its caches are wiped at sign-out. */
"use strict";
const CONFIG = {{ config|safe }};
const CACHE = CONFIG.cache;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(CONFIG.shell)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("ss-lapangan") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function pageKey(url) {
  const u = new URL(url);
  return u.origin + u.pathname; // query strings are not kept
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Only the pages needed offline are kept (the visit list and a visit's form): never a redirect (to the
    // sign-in page), an error page, or the summaries and statistics.
    if (response.ok && !response.redirected && new RegExp(CONFIG.offlinePages).test(new URL(response.url).pathname)) {
      await cache.put(pageKey(request.url), response.clone());
    }
    return response;
  } catch (err) {
    const cached = await cache.match(pageKey(request.url));
    if (cached) return cached;
    return new Response(CONFIG.offline, {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, {ignoreSearch: true});
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.networkOnly.some((p) => url.pathname === p)) return;
  if (request.mode === "navigate" && url.pathname.startsWith(CONFIG.scope)) {
    event.respondWith(networkFirst(request));
  } else if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
