/* The engineer's pages with no connection (served by app/web/engineer.py, scope {{ scope }}).

   Pages: network first, so a page is always the server's latest when there is signal; each
   page that answers is kept, and a page asked for with no signal (or one too poor to answer
   within SLOW_MS) is answered from what was kept, marked as a saved copy (the page shows
   when it was saved). The jobs list asks for
   its job pages to be kept too, and drops the pages of jobs no longer on it.
   Scripts and styles: one cache per version of this worker; answered from the cache and
   refreshed behind. Nothing is ever sent from here: the visit steps wait in the page's own
   queue (static/js/visit.js), which sends them with their idempotency keys when the
   connection returns. Signing out (or a page that sends to sign-in) drops the kept pages. */
"use strict";

var VERSION = {{ version|tojson }};
var ASSETS = "sparelog-engineer-assets-" + VERSION;
var PAGES = "sparelog-engineer-pages";
var SCOPE = {{ scope|tojson }};
var PRECACHE = {{ precache|tojson }};
var ASSET_PREFIXES = {{ asset_prefixes|tojson }};
var NEVER = {{ never|tojson }};
var MAX_KEEP = 60;
var SLOW_MS = 6000; // a page slower than this is shown from the kept copy

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSETS)
      .then(function (cache) { return cache.addAll(PRECACHE); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) {
          return key.indexOf("sparelog-engineer-assets-") === 0 && key !== ASSETS;
        }).map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function samePage(url) { return new URL(url, self.location.origin).pathname; }

function isPage(url) { return url.pathname.indexOf(SCOPE) === 0 && NEVER.indexOf(url.pathname) < 0; }

// When this worker last kept each page, in the order it kept them: the job list drops the
// pages it does not show once its own pages have arrived, but not one kept in the meantime
// (a page the engineer opened while the list's pages were on their way).
var keptAt = {};
var keptCount = 0;

function keep(response, url) {
  // only a page the server answered for this engineer; a sign-in redirect drops them all
  if (response.type === "opaqueredirect" || response.redirected) { return caches.delete(PAGES); }
  if (!response.ok || response.type !== "basic") { return Promise.resolve(); }
  var copy = response.clone();
  var path = samePage(url);
  return caches.open(PAGES)
    .then(function (cache) { return cache.put(path, copy); })
    .then(function () { keptCount += 1; keptAt[path] = keptCount; });
}

function savedCopy(response) {
  // the kept page, marked: its server clock is old (the page uses the phone's clock and the
  // last known difference instead) and it says when it was saved
  var saved = response.headers.get("Date") || "";
  return response.text().then(function (html) {
    var savedAt = saved ? new Date(saved).toISOString() : "";
    html = html.replace(/ data-server-now="[^"]*"/, ' data-server-now="" data-saved-copy="' + savedAt + '"');
    var headers = new Headers(response.headers);
    headers.set("Content-Type", "text/html; charset=utf-8");
    return new Response(html, { status: 200, headers: headers });
  });
}

function notSaved() {
  var text = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>离线 · Offline</title><p>没有网络连接，这一页还没有保存在手机上。有信号时打开一次即可离线查看。</p>" +
    "<p lang=en>No connection, and this page was not saved on the phone yet. Open it once with signal to have it offline.</p>" +
    "<p><a href='" + SCOPE + "'>← 我的工单 · My jobs</a></p>";
  return new Response(text, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function kept(url) {
  return caches.open(PAGES).then(function (cache) { return cache.match(samePage(url)); })
    .then(function (hit) { return hit ? savedCopy(hit) : null; });
}

// The server's page; with no signal the kept copy; with a signal too poor to answer within
// SLOW_MS the kept copy too (the server's page, when it comes, is kept for the next time).
function page(event) {
  var request = event.request;
  var network = fetch(request).then(function (response) {
    return keep(response, request.url).then(function () { return response; }, function () { return response; });
  });
  event.waitUntil(network.catch(function () { return null; }));
  return new Promise(function (resolve) {
    var answered = false;
    function answer(response) { if (!answered && response) { answered = true; resolve(response); } }
    var timer = setTimeout(function () { kept(request.url).then(answer); }, SLOW_MS);
    network.then(function (response) { clearTimeout(timer); answer(response); }, function () {
      clearTimeout(timer);
      kept(request.url).then(function (copy) { answer(copy || notSaved()); });
    });
  });
}

function asset(request) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") { cache.put(request, response.clone()); }
        return response;
      });
      if (hit) { fresh.catch(function () { return null; }); return hit; }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.indexOf(url.pathname) >= 0) { return; }
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(page(event));
  } else if (ASSET_PREFIXES.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) {
    event.respondWith(asset(request));
  }
});

// {type: "keep", urls: [...], only: bool}: keep these pages now (the page that asks may have
// loaded before this worker controlled it); with only, then drop the kept pages not listed,
// except those kept since this was asked.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "claim") { // a page that loaded while this worker was being installed
    event.waitUntil(self.clients.claim());
    return;
  }
  if (data.type !== "keep" || !Array.isArray(data.urls)) { return; }
  var urls = data.urls.map(samePage).filter(function (path) {
    return isPage(new URL(path, self.location.origin));
  }).slice(0, MAX_KEEP);
  var asked = keptCount;
  var work = Promise.all(urls.map(function (path) {
    return fetch(path, { credentials: "same-origin", redirect: "manual" })
      .then(function (response) { return keep(response, path); })
      .catch(function () { return null; });  // no signal: what was kept stays
  }));
  if (data.only) {
    work = work.then(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.keys().then(function (requests) {
          return Promise.all(requests.filter(function (r) {
            var path = samePage(r.url);
            return urls.indexOf(path) < 0 && !(keptAt[path] > asked);
          }).map(function (r) { return cache.delete(r); }));
        });
      });
    });
  }
  event.waitUntil(work);
});
