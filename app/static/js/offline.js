/* The engineer's pages keep working with no connection: register the service worker
   (/engineer/sw.js), ask it to keep this page and the job pages listed here, and tell the
   engineer when there is no signal or the page is a copy saved earlier. */
(function () {
  "use strict";
  var PAGES = "sparelog-engineer-pages";

  // on the sign-in page (signed out, or about to sign in as someone else): no page of the
  // last engineer stays on the phone (their unsent visit steps do: static/js/visit.js)
  var script = document.currentScript;
  if (script && script.hasAttribute("data-forget")) {
    if (window.caches) { window.caches.delete(PAGES).catch(function () { return null; }); }
    return;
  }

  function note() {
    var box = document.getElementById("offline-note");
    if (!box) { return; }
    var saved = document.body.getAttribute("data-saved-copy");
    var offline = navigator.onLine === false;
    box.hidden = !(offline || saved);
    box.setAttribute("data-offline", offline ? "1" : "");
    var when = box.querySelector(".saved-at");
    var copy = box.querySelector(".saved-copy");
    if (copy) { copy.hidden = !saved; }
    var nosignal = box.querySelector(".no-signal");
    if (nosignal) { nosignal.hidden = !offline; }
    if (when && saved) {
      var at = new Date(saved);
      if (!isNaN(at.getTime())) {
        // the page's own conventions (app/formatting.py): zh_CN / en_GB, the viewer's zone
        var body = document.body.dataset;
        when.textContent = at.toLocaleString(body.lang === "en" ? "en-GB" : "zh-CN", {
          month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
          timeZone: body.zone || undefined
        });
      }
    }
  }

  function pagesToKeep(scope) {
    var urls = [location.pathname];
    Array.prototype.forEach.call(document.querySelectorAll("a[data-keep-offline]"), function (a) {
      var path = new URL(a.href, location.href).pathname;
      if (path.indexOf(scope) === 0 && urls.indexOf(path) < 0) { urls.push(path); }
    });
    if (urls.indexOf(scope) < 0) { urls.push(scope); }
    return urls;
  }

  document.addEventListener("DOMContentLoaded", function () {
    note();
    window.addEventListener("online", note);
    window.addEventListener("offline", note);
    var box = document.getElementById("offline-note");
    var worker = box && box.getAttribute("data-worker");
    if (!worker || !("serviceWorker" in navigator)) { return; }
    var scope = box.getAttribute("data-scope");
    navigator.serviceWorker.register(worker, { scope: scope }).catch(function () { /* no worker: pages need signal */ });
    if (navigator.onLine === false) { return; } // a saved copy: nothing to refresh now
    navigator.serviceWorker.ready.then(function (registration) {
      if (!registration.active) { return; }
      if (!navigator.serviceWorker.controller) { registration.active.postMessage({ type: "claim" }); }
      registration.active.postMessage({
        type: "keep",
        urls: pagesToKeep(scope),
        only: box.hasAttribute("data-job-list")
      });
    });
  });
})();
