/* Delivery import: send the file with XMLHttpRequest to show upload progress, then show
   "checking and booking" until the server's report arrives, and swap the report in.
   Without JavaScript the form posts normally and the same report comes back. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    if (!form || !window.FormData || !window.DOMParser) { return; }
    var wrap = document.getElementById("import-progress");
    var bar = document.getElementById("import-bar");
    var text = document.getElementById("import-progress-text");
    var button = document.getElementById("import-submit");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", SL.csrf());
      wrap.classList.remove("hidden");
      button.disabled = true;
      bar.value = 0;
      text.textContent = SL.t("imp.uploading", { pct: 0 });
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.value = pct;
        text.textContent = SL.t("imp.uploading", { pct: pct });
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // indeterminate while the server checks and books
        text.textContent = SL.t("imp.processing");
      });
      xhr.addEventListener("load", function () {
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var fresh = doc.getElementById("import-result");
        var current = document.getElementById("import-result");
        if (fresh && current) {
          current.replaceWith(fresh);
          var token = doc.querySelector('meta[name="csrf-token"]');
          if (token) { document.querySelector('meta[name="csrf-token"]').setAttribute("content", token.getAttribute("content")); }
          var heading = fresh.querySelector("h2, .flash");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        } else {
          current.innerHTML = "";
          var p = document.createElement("p");
          p.className = "flash error";
          p.textContent = SL.t("common.error") + " (" + xhr.status + ")";
          current.appendChild(p);
        }
        wrap.classList.add("hidden");
        button.disabled = false;
        form.reset();
        // the next import is another request: take the key the answer rendered for it
        var key = doc.getElementById("import-key");
        var mine = document.getElementById("import-key");
        if (key && mine) { mine.defaultValue = key.value; mine.value = key.value; }
      });
      xhr.addEventListener("error", function () {
        text.textContent = SL.t("common.error");
        button.disabled = false;
      });
      xhr.send(new FormData(form));
    });
  });
})();
