/* The planning page: while a run is queued or running, poll its job and reload the page
   when it is done (the server draws the plan); the curve legend's colours from data
   attributes (no inline styles under the Content-Security-Policy). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var keys = document.querySelectorAll("[data-colour]");
    for (var i = 0; i < keys.length; i++) { keys[i].style.color = keys[i].getAttribute("data-colour"); }
    var runs = document.getElementById("runs");
    if (!runs || !window.fetch) { return; }
    var status = runs.getAttribute("data-job-status");
    if (status !== "queued" && status !== "running") { return; }
    var job = runs.getAttribute("data-job");
    function poll() {
      fetch("/api/planning/runs/" + encodeURIComponent(job), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.status === "queued" || data.status === "running") { setTimeout(poll, 1500); }
          else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 1000);
  });
})();
