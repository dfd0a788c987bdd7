// The console's map of feedback: cells grouped on the server (/console/map.json), coloured by
// status, ringed when the oldest is over 30 days; Leaflet.markercluster merges near cells, sums
// their counts and draws a ring shared among their statuses (the legend above the map). Tiles only when a tile server is set. Reloads the cells when the view moves.
(function () {
  "use strict";
  var box = document.getElementById("feedback-map");
  if (!box || !window.L) { return; }
  var script = document.currentScript;
  var COLOURS = { new: "#c62828", received: "#ef6c00", in_progress: "#f9a825",
    forwarded: "#6a1b9a", resolved: "#2e7d32", rejected: "#546e7a", merged: "#90a4ae" };
  var map = window.L.map(box, { attributionControl: !!box.dataset.tiles }).setView([16.0, 106.5], 6);
  if (box.dataset.tiles) {
    window.L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  }
  var layer = window.L.markerClusterGroup({
    showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var total = 0, by = {}, stops = [], at = 0;
      cluster.getAllChildMarkers().forEach(function (m) {
        total += m.options.count;
        by[m.options.status] = (by[m.options.status] || 0) + m.options.count;
      });
      Object.keys(COLOURS).forEach(function (status) {
        if (!by[status]) { return; }
        var to = at + by[status] * 100 / total;
        stops.push(COLOURS[status] + " " + at.toFixed(1) + "% " + to.toFixed(1) + "%");
        at = to;
      });
      var ring = document.createElement("span");
      ring.style.background = "conic-gradient(" + stops.join(", ") + ")";
      var count = document.createElement("b");
      count.textContent = String(total);
      ring.appendChild(count);
      return window.L.divIcon({ html: ring, className: "fb-cluster", iconSize: [40, 40] });
    }
  }).addTo(map);
  var first = true;
  var asked = 0;
  function load() {
    var number = ++asked;
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
      return Math.max(-180, Math.min(180, v)).toFixed(4); }).join(",");
    var url = box.dataset.source + (box.dataset.source.indexOf("?") < 0 ? "?" : "&") +
      (first ? "" : "bbox=" + bbox + "&") + "zoom=" + map.getZoom();
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (number !== asked) { return; }  // a later view was asked for meanwhile
      layer.clearLayers();
      data.cells.forEach(function (c) {
        var marker = window.L.circleMarker([c.lat, c.lon], {
          count: c.count, status: c.status, radius: c.count > 1 ? 8 + Math.min(12, Math.log(c.count) * 2) : 7,
          fillColor: COLOURS[c.status] || "#333", fillOpacity: 0.85,
          color: c.age_days > 30 ? "#000" : "#fff", weight: c.age_days > 30 ? 3 : 1 });
        marker.bindTooltip(c.count + " · " + c.status + " · " + c.age_days + "d");
        if (c.id) { marker.on("click", function () { window.location = "/console/feedback/" + c.id; }); }
        layer.addLayer(marker);
      });
      var shown = document.getElementById("map-total");
      if (shown) {
        shown.textContent = script.dataset.shown.replace("{count}", data.total) +
          (data.unplaced ? " " + script.dataset.unplaced.replace("{count}", data.unplaced) : "");
      }
      box.dataset.loaded = String(number);
      if (first && data.bounds) {
        first = false;
        var w = data.bounds;
        map.fitBounds([[w[1], w[0]], [w[3], w[2]]], { maxZoom: 15, padding: [20, 20] });
        return;
      }
      first = false;
    });
  }
  map.on("moveend", function () { if (!first) { load(); } });
  load();
})();
