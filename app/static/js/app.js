/* SpareLog page helpers: words in the viewer's language, the CSRF token for fetch calls,
   live countdowns from server-provided UTC deadlines, one-shot submit buttons. No libraries. */
(function () {
  "use strict";
  var SL = (window.SL = window.SL || {});

  SL.messages = {};
  try { SL.messages = JSON.parse(document.getElementById("i18n").textContent || "{}"); } catch (e) { /* keep {} */ }
  SL.t = function (key, values) {
    var text = SL.messages[key] || key;
    if (values) { Object.keys(values).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); }); }
    return text;
  };
  SL.csrf = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  };

  // The server's clock, corrected for the difference to this device's clock.
  var skew = 0;
  var serverNow = document.body.getAttribute("data-server-now");
  if (serverNow) {
    var s = Date.parse(serverNow);
    if (!isNaN(s)) { skew = s - Date.now(); try { localStorage.setItem("sparelog.skew", String(skew)); } catch (e) { /* private mode */ } }
  } else { // a page saved for offline use: its server clock is old; the last difference seen
    var kept = Number(localStorage.getItem("sparelog.skew"));
    if (isFinite(kept)) { skew = kept; }
  }
  SL.now = function () { return Date.now() + skew; };

  SL.duration = function (seconds) {
    var s = Math.floor(Math.abs(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d) { return SL.t("duration.d", { n: d }) + " " + SL.t("duration.h", { n: h }); }
    if (h) { return SL.t("duration.h", { n: h }) + " " + SL.t("duration.m", { n: m }); }
    return SL.t("duration.m", { n: m }) + " " + SL.t("duration.s", { n: sec });
  };

  // How close a clock is to breaching: ok / warn / urgent / late.
  SL.clockLevel = function (remainingMs, totalMs) {
    if (remainingMs <= 0) { return "late"; }
    if (totalMs && totalMs > 0) {
      var left = remainingMs / totalMs;
      if (left <= 0.2 || remainingMs <= 10 * 60000) { return "urgent"; }
      if (left <= 0.5) { return "warn"; }
      return "ok";
    }
    if (remainingMs <= 15 * 60000) { return "urgent"; }
    if (remainingMs <= 60 * 60000) { return "warn"; }
    return "ok";
  };

  function tick() {
    var now = SL.now();
    var nodes = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (el.getAttribute("data-stopped")) { continue; }
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) { continue; }
      var start = Date.parse(el.getAttribute("data-start") || "");
      var remaining = deadline - now;
      var level = SL.clockLevel(remaining, isNaN(start) ? 0 : deadline - start);
      var text = remaining > 0 ? SL.duration(remaining / 1000)
        : (el.getAttribute("data-late-word") || SL.t("dsp.breached")) + " " + SL.duration(-remaining / 1000);
      var out = el.querySelector(".remaining") || el;
      if (out.textContent !== text) { out.textContent = text; }
      el.classList.remove("ok", "warn", "urgent", "late");
      el.classList.add(level);
      el.setAttribute("data-level", level);
    }
  }
  SL.tick = tick;

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    if (document.querySelector("[data-deadline]")) { setInterval(tick, 1000); }
    // A submit button pressed once stays pressed: no double booking from a double click.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-once")) { return; }
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var buttons = form.querySelectorAll("button[type=submit]");
      setTimeout(function () { for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; } }, 0);
    });
  });
})();
