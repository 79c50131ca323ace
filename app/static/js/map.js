/* Maps: Leaflet (served from the xstatic-leaflet package) over the configured tile source or
   the bundled outline of China's provinces; places as markers, routes as lines, the view
   fitted to what matters, and labels placed where they overprint nothing (else hidden: the
   name stays on the marker's tooltip). Data comes from app/web/maps.py as JSON. */
(function () {
  "use strict";
  var POSITIONS = ["pos-right", "pos-left", "pos-top", "pos-bottom"];

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function inside(a, box) {
    return a.left >= box.left && a.right <= box.right && a.top >= box.top && a.bottom <= box.bottom;
  }

  function baseLayer(map, el, base) {
    if (base.tiles) {
      L.tileLayer(base.tiles, { attribution: escapeHtml(base.attribution || ""), maxZoom: 18 }).addTo(map);
      el.setAttribute("data-base-layer", "tiles");
      return;
    }
    var url = el.getAttribute("data-static") + base.outline;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var layer = L.geoJSON(geo, {
          interactive: false,
          style: function (feature) {
            if (feature.properties.kind === "maritime") {
              return { className: "maritime", color: "#5d86ad", weight: 1.2, dashArray: "6 4", fill: false };
            }
            return { className: "province", color: "#b3a684", weight: 0.8, fillColor: "#f7f3e8", fillOpacity: 1 };
          }
        }).addTo(map);
        layer.bringToBack();
        el.setAttribute("data-base-layer", "outline");
      })
      .catch(function () { el.setAttribute("data-base-layer", "failed"); });
  }

  function draw(el) {
    var data = JSON.parse(document.getElementById(el.id + "-data").textContent);
    var base = JSON.parse(el.getAttribute("data-base"));
    var map = L.map(el, { zoomSnap: 0.25, worldCopyJump: false, attributionControl: !!base.tiles, zoomControl: false });
    // the zoom buttons' tooltips in the reader's language (Leaflet's own are English)
    L.control.zoom({ zoomInTitle: SL.t("map.zoom_in"), zoomOutTitle: SL.t("map.zoom_out") }).addTo(map);
    baseLayer(map, el, base);

    data.lines.forEach(function (line) {
      L.polyline(line.coords, {
        className: "line-" + line.kind,
        color: line.colour || "#ff8f00",
        weight: line.kind === "route" ? 3.5 : 3,
        dashArray: line.kind === "route" ? "9 5" : null,
        opacity: 0.9
      }).bindTooltip(escapeHtml(line.title || "")).addTo(map);
    });

    var labels = [];
    var markers = [];
    data.points.forEach(function (p) {
      var icon = L.divIcon({ className: "pt pt-" + p.kind + (p.highlight ? " hl" : "") + (p.band ? " band-" + p.band : ""), iconSize: p.size ? [p.size, p.size] : (p.highlight ? [16, 16] : [12, 12]) });
      var marker = L.marker([p.lat, p.lon], { icon: icon, title: p.title, keyboard: false, zIndexOffset: p.highlight ? 500 : (p.band ? 300 : (p.kind === "depot" ? 200 : 0)) }).addTo(map);
      markers.push(marker);
      if (p.labelled) {
        var label = L.marker([p.lat, p.lon], {
          icon: L.divIcon({
            className: "map-label-anchor",
            html: '<span class="map-label pos-right" data-kind="' + p.kind + '">' + escapeHtml(p.label) + "</span>",
            iconSize: null,
            iconAnchor: [0, 0]
          }),
          interactive: false,
          keyboard: false,
          zIndexOffset: 1000 - p.priority
        }).addTo(map);
        labels.push({ marker: label, priority: p.priority, order: labels.length });
      }
    });
    labels.sort(function (a, b) { return a.priority - b.priority || a.order - b.order; });

    function declutter() {
      var box = el.getBoundingClientRect();
      var taken = markers.map(function (m) { return m.getElement().getBoundingClientRect(); });
      var shown = 0;
      labels.forEach(function (item) {
        var span = item.marker.getElement().querySelector(".map-label");
        span.classList.remove("lbl-hidden");
        var placed = false;
        for (var i = 0; i < POSITIONS.length && !placed; i++) {
          POSITIONS.forEach(function (pos) { span.classList.remove(pos); });
          span.classList.add(POSITIONS[i]);
          var rect = span.getBoundingClientRect();
          var clear = inside(rect, box) && !taken.some(function (t) { return overlaps(rect, t); });
          if (clear) { taken.push(rect); placed = true; }
        }
        if (!placed) { span.classList.add("lbl-hidden"); } else { shown += 1; }
      });
      el.setAttribute("data-labels-shown", String(shown));
    }

    L.control.scale({ imperial: false }).addTo(map);
    var fit = L.latLngBounds(data.fit);
    map.fitBounds(fit.pad(0.08), { padding: [18, 18], maxZoom: 14, animate: false });
    map.on("zoomend moveend resize", declutter);
    declutter();
    var pick = el.getAttribute("data-pick");
    if (pick) { pickPoint(map, el, pick.split(" ")); }
    el.setAttribute("data-ready", "yes");
  }

  /* A map that picks a place: a click (or tap) sets the latitude / longitude inputs and
     marks the point; typing in the inputs moves the mark. */
  function pickPoint(map, el, ids) {
    var lat = document.getElementById(ids[0]);
    var lon = document.getElementById(ids[1]);
    var mark = null;
    function show(latlng) {
      var icon = L.divIcon({ className: "pt pt-site hl", iconSize: [16, 16] });
      if (mark) { mark.setLatLng(latlng); } else { mark = L.marker(latlng, { icon: icon, keyboard: false }).addTo(map); }
      el.setAttribute("data-picked", latlng.lat.toFixed(6) + "," + latlng.lng.toFixed(6));
    }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      show(e.latlng);
    });
    function typed() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { show(L.latLng(a, b)); }
    }
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) { return; }
    var maps = document.querySelectorAll(".leaflet-map");
    Array.prototype.forEach.call(maps, function (el) {
      var folded = el.closest("details:not([open])");
      if (!folded) { draw(el); return; }
      // a map inside a closed <details> has no size yet: draw it when it is opened
      folded.addEventListener("toggle", function once() {
        if (!folded.open) { return; }
        folded.removeEventListener("toggle", once);
        draw(el);
      });
    });
  });
})();
