/* The tablet's service worker, served at /tablet/sw.js (scope /tablet/).

   It keeps only what carries no person's data: the stylesheets, the tablet script and the "No signal"
   page. Pages about a candidate are never cached; steps typed without signal are kept by tablet.js,
   encrypted, in IndexedDB. Sign-out deletes these caches (static/tablet/signout.js). */
"use strict";

var CACHE = "vip-tablet-v1";
var STATIC = "__STATIC_URL__";
var OFFLINE = "__OFFLINE_URL__";
var SHELL = [STATIC + "css/vip.css", STATIC + "tablet/tablet.css", STATIC + "tablet/tablet.js", STATIC + "tablet/signout.js", OFFLINE];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // step POSTs: tablet.js keeps and replays them
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Always the network (pages about people are not stored); without signal, the "No signal" page.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE).then(function (page) {
        return page || new Response("No signal.", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    // The shell: fresh when online, the stored copy without signal.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () { return caches.match(request, { ignoreSearch: true }); }));
  }
});
