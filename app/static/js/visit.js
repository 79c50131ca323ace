/* The engineer's visit, recorded on a phone with a poor connection.

   Every step (arrival, work, parts, photo, signature) becomes a request in a queue kept in
   localStorage, so nothing is lost when the page is closed or the network is gone. The
   queue is sent in order, one request at a time, each with its own Idempotency-Key: a
   request that reached the server but whose answer was lost is answered again from the
   server's record when it is retried, never done twice. The engineer sees what is not
   sent yet; a request the server refuses (4xx) stays visible with the reason. */
(function () {
  "use strict";
  var SL = window.SL || {};
  var KEY = "sparelog.outbox.v1";
  var flushing = false;
  var sentSomething = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    localStorage.setItem(KEY, JSON.stringify(items)); // may throw QuotaExceededError
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function t(key) { return SL.t ? SL.t(key) : key; }

  function enqueue(url, body, label) {
    var items = load();
    items.push({ id: newKey(), url: url, body: body, label: label, queuedAt: new Date().toISOString(), state: "pending" });
    try { save(items); } catch (e) { alert(t("eng.outbox.full")); return false; }
    render();
    flush();
    return true;
  }

  function render() {
    var box = document.getElementById("outbox");
    if (!box) { return; }
    var items = load();
    var pending = items.filter(function (i) { return i.state === "pending"; }).length;
    var count = document.getElementById("unsent-count");
    count.textContent = String(pending);
    count.setAttribute("data-count", String(pending));
    box.hidden = items.length === 0;
    var list = document.getElementById("outbox-items");
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "outbox-item " + item.state;
      li.setAttribute("data-state", item.state);
      var when = new Date(item.queuedAt);
      // the page's own conventions (app/formatting.py): zh_CN / en_GB, the viewer's zone
      var body = document.body.dataset;
      var clock = when.toLocaleTimeString(body.lang === "en" ? "en-GB" : "zh-CN", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: body.zone || undefined
      });
      var text = item.label + " · " + clock + " · " +
        (item.state === "pending" ? t("eng.outbox.pending") : t("eng.outbox.rejected") + ": " + (item.error || ""));
      li.appendChild(document.createTextNode(text));
      if (item.state === "rejected") {
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "link discard";
        drop.textContent = t("eng.outbox.discard");
        drop.addEventListener("click", function () {
          save(load().filter(function (i) { return i.id !== item.id; }));
          render();
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(drop);
      }
      list.appendChild(li);
    });
  }

  function freshToken() {
    return fetch("/engineer/csrf", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw { signin: true }; }
        return r.json();
      })
      .then(function (data) { return data.csrf_token; });
  }

  function problemText(response) {
    return response.json().then(function (p) {
      var fields = p.errors ? Object.keys(p.errors).map(function (k) {
        var v = p.errors[k]; return k + ": " + (Array.isArray(v) ? v.join(" ") : JSON.stringify(v));
      }).join("; ") : "";
      return [p.detail || p.title || String(response.status), fields].filter(Boolean).join(" — ");
    }, function () { return String(response.status); });
  }

  function setItem(id, changes) {
    var items = load().map(function (i) { return i.id === id ? Object.assign({}, i, changes) : i; });
    save(items);
  }
  function dropItem(id) { save(load().filter(function (i) { return i.id !== id; })); }

  function sendNext(token) {
    var next = load().filter(function (i) { return i.state === "pending"; })[0];
    if (!next) { return Promise.resolve(); }
    return fetch(next.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Idempotency-Key": next.id, Accept: "application/json" },
      body: JSON.stringify(next.body)
    }).then(function (response) {
      if (response.ok) {
        dropItem(next.id);
        sentSomething = true;
        render();
        return sendNext(token);
      }
      if (response.status === 401) { throw { signin: true }; }
      if (response.status >= 500 || response.status === 429 || response.headers.get("Retry-After")) {
        throw { later: true }; // the server is busy or down: keep it, retry later
      }
      return problemText(response).then(function (text) {
        setItem(next.id, { state: "rejected", error: text });
        render();
        return sendNext(token);
      });
    });
  }

  function flush() {
    if (flushing || !load().some(function (i) { return i.state === "pending"; })) { return; }
    flushing = true;
    var note = document.getElementById("outbox-signin");
    freshToken()
      .then(sendNext)
      .then(function () {
        if (note) { note.remove(); }
        if (sentSomething && load().length === 0) { window.location.reload(); }
      })
      .catch(function (error) {
        if (error && error.signin && !note) {
          var p = document.createElement("p");
          p.id = "outbox-signin";
          p.className = "flash error";
          p.textContent = t("eng.outbox.signin");
          var box = document.getElementById("outbox");
          if (box) { box.appendChild(p); }
        } // a network error (offline) keeps everything for the next try
      })
      .then(function () { flushing = false; });
  }

  // --- the steps ------------------------------------------------------------------------

  function formBody(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
      var value = el.value.trim();
      if (value !== "" || el.tagName === "TEXTAREA") { body[el.name] = value; }
    });
    return body;
  }

  // An inspection's checklist (templates/inspections/phone.html): one fieldset per item
  // with its outcome (radio "o:<key>") and reading ("r:<key>"); items left blank are not sent.
  function checklistBody(form) {
    var results = [];
    Array.prototype.forEach.call(form.querySelectorAll("[data-item]"), function (box) {
      var key = box.getAttribute("data-item");
      var chosen = box.querySelector("input[type=radio]:checked");
      if (!chosen) { return; }
      var reading = form.elements["r:" + key] ? form.elements["r:" + key].value.trim() : "";
      results.push({ key: key, outcome: chosen.value, reading: reading || null });
    });
    var body = { results: results, notes: form.elements.notes.value.trim(), recommendations: form.elements.recommendations.value.trim() };
    if (form.elements.training_given) { body.training_given = form.elements.training_given.checked; }
    return body;
  }

  function restoreChecklist(form, body) {
    (body.results || []).forEach(function (r) {
      var radio = form.querySelector('[data-item="' + r.key + '"] input[value="' + r.outcome + '"]');
      if (radio) { radio.checked = true; }
      if (form.elements["r:" + r.key]) { form.elements["r:" + r.key].value = r.reading || ""; }
    });
    ["notes", "recommendations"].forEach(function (name) {
      if (typeof body[name] === "string") { form.elements[name].value = body[name]; }
    });
  }

  function setupSignature(form) {
    var canvas = document.getElementById("signature-pad");
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: (event.clientX - rect.left) * canvas.width / rect.width, y: (event.clientY - rect.top) * canvas.height / rect.height };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; canvas.setPointerCapture(event.pointerId);
      var p = point(event); ctx.beginPath(); ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event); ctx.lineTo(p.x, p.y); ctx.stroke(); inked = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    document.getElementById("signature-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); inked = false;
    });
    return function () {
      var error = document.getElementById("signature-error");
      var name = form.elements.signer_name.value.trim();
      if (!inked || !name) { error.hidden = false; return null; }
      error.hidden = true;
      return { signer_name: name, png: canvas.toDataURL("image/png") };
    };
  }

  function shrinkPhoto(file, done) {
    var reader = new FileReader();
    reader.onload = function () {
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        done(canvas.toDataURL("image/jpeg", 0.85));
      };
      img.src = reader.result;
    };
    reader.readAsDataURL(file);
  }

  // A page (re)opened while steps wait in the queue shows them as recorded: the arrival
  // and the signature cannot be pressed twice, the work form holds what was typed.
  function showQueued() {
    var pending = load().filter(function (i) { return i.state === "pending"; });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-queue]"), function (form) {
      var kind = form.getAttribute("data-queue");
      var mine = pending.filter(function (i) { return i.url === form.getAttribute("data-url"); });
      if (!mine.length) { return; }
      form.setAttribute("data-queued", String(mine.length));
      if (kind === "arrival" || kind === "signature" || kind === "report") {
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
      }
      if (kind === "checklist") { restoreChecklist(form, mine[mine.length - 1].body || {}); }
      if (kind === "work") {
        var body = mine[mine.length - 1].body || {};
        Object.keys(body).forEach(function (name) {
          if (form.elements[name]) { form.elements[name].value = body[name]; }
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var signature = null;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-queue]"), function (form) {
      var kind = form.getAttribute("data-queue");
      if (kind === "signature") { signature = setupSignature(form); }
      if (kind === "photo") {
        form.elements.photo.addEventListener("change", function () {
          var file = form.elements.photo.files[0];
          if (!file) { return; }
          shrinkPhoto(file, function (dataUrl) {
            enqueue(form.getAttribute("data-url"), { data: dataUrl }, form.getAttribute("data-label"));
            form.reset();
          });
        });
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body;
        if (kind === "arrival") { body = { device_time: new Date().toISOString() }; }
        else if (kind === "signature") { body = signature(); if (!body) { return; } }
        else if (kind === "checklist") { body = checklistBody(form); }
        else if (kind === "report") { body = {}; }
        else { body = formBody(form); }
        if (enqueue(form.getAttribute("data-url"), body, form.getAttribute("data-label"))) {
          form.setAttribute("data-queued", String(Number(form.getAttribute("data-queued") || 0) + 1));
          if (kind === "arrival" || kind === "signature" || kind === "report") {
            Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
          }
          if (kind === "parts" || kind === "finding") { form.reset(); }
        }
      });
    });
    showQueued();
    render();
    flush();
    window.addEventListener("online", flush);
    setInterval(flush, 5000);
  });
})();
