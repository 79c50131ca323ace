/* Dispatcher board: refresh the ticket list every minute (new tickets, changed states)
   without a page reload, unless the viewer is working inside it. Countdowns tick in app.js. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("tickets");
    if (!box || !window.fetch || !window.DOMParser) { return; }
    var seconds = parseInt(box.getAttribute("data-refresh") || "60", 10);
    setInterval(function () {
      if (box.contains(document.activeElement)) { return; }
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("tickets");
          if (fresh) { box.innerHTML = fresh.innerHTML; SL.tick(); }
        })
        .catch(function () { /* keep the list we have */ });
    }, seconds * 1000);
  });
})();
