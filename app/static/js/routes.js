/* Route plans: while the solver runs, poll the job and show its progress; reload the page
   when it is done so the server draws the routes. Colour swatches from data attributes. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var swatches = document.querySelectorAll(".swatch[data-colour]");
    for (var i = 0; i < swatches.length; i++) { swatches[i].style.background = swatches[i].getAttribute("data-colour"); }
    var plan = document.getElementById("plan");
    if (!plan || !window.fetch) { return; }
    var status = plan.getAttribute("data-job-status");
    if (status !== "queued" && status !== "running") { return; }
    var bar = document.getElementById("plan-progress");
    var job = plan.getAttribute("data-job");
    function poll() {
      fetch("/api/route-plans/" + encodeURIComponent(job), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (bar && typeof data.progress === "number") { bar.value = data.progress; }
          if (data.status === "queued" || data.status === "running") { setTimeout(poll, 1000); }
          else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 800);
  });
})();
