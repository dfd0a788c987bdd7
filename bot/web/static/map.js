/* The digital map: asks the API for the practices in view (with the filters), draws single
   practices through Leaflet.markercluster and server-side grid clusters as cluster bubbles, and
   opens a server-rendered card in a popup. Every visible sentence comes from the page config,
   which the server filled from the .po catalogues. Works without tiles (offline). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var form = document.getElementById("filters");
  var status = document.getElementById("status");
  var b = config.bounds; // west, south, east, north
  var vietnam = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);

  var map = L.map("map", { minZoom: 4, maxZoom: 18, worldCopyJump: false });
  map.fitBounds(vietnam);
  /* Without tiles (offline, or no tile server set) province names keep the map readable.
     At each zoom only names that do not overlap are shown, larger provinces first. */
  var labels = null;
  function showProvinceLabels() {
    if (labels) return;
    map.createPane("labels").style.zIndex = 350;
    labels = config.provinces.map(function (province) {
      var box = province.bbox, name = document.createElement("span");
      name.textContent = province.name.replace(/^Thành phố /, "");
      return {  // the six centrally-run cities first, then the larger provinces
        size: box[2] - box[0] + (/^Thành phố /.test(province.name) ? 10 : 0),
        marker: L.marker([(box[1] + box[3]) / 2, (box[0] + box[2]) / 2], {
          pane: "labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "dvk-province-label", html: name, iconSize: null }),
        }),
      };
    }).sort(function (a, b) { return b.size - a.size; });
    placeLabels();
    map.on("zoomend", placeLabels);
  }
  function placeLabels() {
    var placed = [];
    labels.forEach(function (label) {
      var at = map.latLngToLayerPoint(label.marker.getLatLng());
      var free = placed.every(function (other) {
        return Math.abs(other.x - at.x) > 90 || Math.abs(other.y - at.y) > 22;
      });
      if (free) { placed.push(at); label.marker.addTo(map); } else { label.marker.remove(); }
    });
  }
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 })
      .once("tileerror", showProvinceLabels).addTo(map);
  } else {
    showProvinceLabels();
  }
  var points = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false,
                                      maxClusterRadius: 50 });
  var cells = L.layerGroup();
  /* Where the open practice was adopted ("nhân rộng"): dashed lines to each collective. */
  var spread = L.layerGroup().addTo(map);
  map.on("popupclose", function () { spread.clearLayers(); });
  map.addLayer(points);
  map.addLayer(cells);

  var requestSeq = 0;
  var inflight = null;
  var firstRenderMarked = false;

  function setStatus(state, text, total) {
    status.dataset.state = state;
    status.dataset.total = total === undefined ? "" : String(total);
    status.textContent = text;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function queryString() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") params.set(key, String(value).trim());
    });
    var view = map.getBounds();
    var clamp = function (v, low, high) { return Math.max(low, Math.min(high, v)); };
    params.set("bbox", [clamp(view.getWest(), -180, 180), clamp(view.getSouth(), -90, 90),
                        clamp(view.getEast(), -180, 180), clamp(view.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(5); }).join(","));
    params.set("zoom", String(map.getZoom()));
    return params.toString();
  }

  function refresh() {
    var mine = ++requestSeq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    setStatus("loading", config.text.loading);
    fetch("/api/practices.geojson?" + queryString(), { signal: inflight.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { if (mine === requestSeq) draw(data); })
      .catch(function (error) {
        if (error.name !== "AbortError" && mine === requestSeq) setStatus("error", config.text.error);
      });
  }

  function draw(data) {
    points.clearLayers();
    cells.clearLayers();
    var markers = [];
    data.features.forEach(function (feature) {
      var lon = feature.geometry.coordinates[0], lat = feature.geometry.coordinates[1];
      var props = feature.properties;
      if (props.cluster) cells.addLayer(cellMarker(lat, lon, props.count));
      else markers.push(practiceMarker(lat, lon, props));
    });
    points.addLayers(markers);
    var text = data.total === 0 ? config.text.none
      : format(data.clustered ? config.text.clustered : config.text.count, { count: data.total });
    setStatus(data.clustered ? "clustered" : "ready", text, data.total);
    status.dataset.features = String(data.features.length);
    if (!firstRenderMarked && data.features.length) {
      firstRenderMarked = true;
      requestAnimationFrame(function () { window.dvkFirstRender = performance.now(); });
    }
  }

  function practiceMarker(lat, lon, props) {
    var classes = "dvk-pin dvk-field-" + props.field + (props.level ? " dvk-recognised" : "");
    var marker = L.marker([lat, lon], {
      icon: L.divIcon({ className: classes, iconSize: [18, 18] }),
      title: props.title, alt: props.title, keyboard: true,
    });
    marker.bindPopup(config.text.loading, { maxWidth: 360, minWidth: 260, autoPanPadding: [20, 20] });
    marker.on("popupopen", function (event) { loadCard(props.code, event.popup); });
    return marker;
  }

  function cellMarker(lat, lon, count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var marker = L.marker([lat, lon], {
      icon: L.divIcon({ html: "<div><span>" + count + "</span></div>",
                        className: "marker-cluster marker-cluster-" + size + " dvk-cell",
                        iconSize: L.point(40, 40) }),
      title: config.text.zoom_in, keyboard: true,
    });
    marker.on("click", function () { map.setView([lat, lon], Math.min(map.getZoom() + 2, 18)); });
    return marker;
  }

  function loadCard(code, popup) {
    fetch("/practices/" + encodeURIComponent(code) + "/popup?lang=" + config.lang)
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) { popup.setContent(html); popup.update(); })  // server-escaped HTML
      .catch(function () { popup.setContent(config.text.error); });
    showSpread(code, popup);
    var url = new URL(window.location.href);
    url.searchParams.set("practice", code);
    window.history.replaceState(null, "", url);
  }

  function showSpread(code, popup) {
    fetch("/api/practices/" + encodeURIComponent(code))
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(function (practice) {
        spread.clearLayers();
        var from = popup.getLatLng();
        (practice.replications || []).forEach(function (place) {
          if (place.latitude === null || place.longitude === null || !from) return;
          var to = [place.latitude, place.longitude];
          spread.addLayer(L.polyline([from, to], { color: "#2e7d32", weight: 2, dashArray: "6 6",
                                                   className: "dvk-spread" }));
          var label = document.createElement("span");  // typed by people: text, never HTML
          label.textContent = place.collective_name;
          spread.addLayer(L.circleMarker(to, { radius: 6, color: "#2e7d32", className: "dvk-spread" })
            .bindTooltip(label));
        });
      })
      .catch(function () { /* the card still shows; the lines are a bonus */ });
  }

  function openPermalink(code) {
    fetch("/api/practices/" + encodeURIComponent(code))
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(function (practice) {
        var lat = practice.latitude, lon = practice.longitude;
        if (lat === null || lon === null) return;
        map.setView([lat, lon], 13);
        var popup = L.popup({ maxWidth: 360, minWidth: 260 }).setLatLng([lat, lon])
          .setContent(config.text.loading).openOn(map);
        loadCard(code, popup);
      })
      .catch(function () { setStatus("error", config.text.error); });
  }

  function loadCommunes(provinceCode) {
    var select = form.elements.commune;
    select.length = 1;
    select.disabled = !provinceCode;
    if (!provinceCode) return Promise.resolve();
    return fetch("/api/provinces/" + provinceCode + "/communes")
      .then(function (response) { return response.json(); })
      .then(function (communes) {
        communes.forEach(function (commune) {
          select.add(new Option(commune.name, commune.code));
        });
      });
  }

  /* A commune typed by today's name or the one it had before the 2025 reorganisation: the
     server's search offers "Phường Hồng Hà, Thành phố Hà Nội (trước đây: Phường Phúc Xá, …)",
     and picking one sets the province and commune filters. */
  var place = document.getElementById("place");
  var placeOptions = document.getElementById("place-options");
  var placeMatches = {};
  function placeLabel(match) {
    return match.formerly ? match.label + " (" + config.text.formerly + " " +
      match.formerly.label + ")" : match.label;
  }
  function searchPlaces() {
    var query = place.value.trim();
    if (placeMatches[query]) { choosePlace(placeMatches[query]); return; }
    if (query.length < 2) return;
    fetch("/api/units/search?kind=commune&q=" + encodeURIComponent(query))
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (matches) {
        placeOptions.textContent = "";
        placeMatches = {};
        matches.forEach(function (match) {
          var label = placeLabel(match);
          placeMatches[label] = match;
          placeOptions.appendChild(new Option(label, label));
        });
      });
  }
  function choosePlace(match) {
    form.elements.province.value = match.province_code;
    loadCommunes(match.province_code).then(function () {
      form.elements.commune.value = match.code;
      var province = config.provinces.find(function (p) { return p.code === match.province_code; });
      var pb = province ? province.bbox : null;
      if (pb) map.fitBounds([[pb[1], pb[0]], [pb[3], pb[2]]]);
      refresh();
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  var refreshSoon = debounce(refresh, 150);
  place.addEventListener("input", debounce(searchPlaces, 250));
  var searchSoon = debounce(refresh, 300);
  map.on("moveend", refreshSoon);
  form.addEventListener("input", function (event) {
    if (event.target.name === "q") searchSoon();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "province") {
      var code = event.target.value;
      loadCommunes(code);
      var province = config.provinces.find(function (p) { return p.code === code; });
      var pb = province ? province.bbox : null;
      map.fitBounds(pb ? [[pb[1], pb[0]], [pb[3], pb[2]]] : vietnam);
      refreshSoon();
      return;
    }
    if (event.target.name !== "q") refresh();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { loadCommunes(""); map.fitBounds(vietnam); refresh(); }, 0);
  });

  window.dvkMap = map;
  if (config.province) {  // /embed?province=… or ?province=…: start on that province
    var start = config.provinces.find(function (p) { return p.code === config.province; });
    if (start) {
      map.fitBounds([[start.bbox[1], start.bbox[0]], [start.bbox[3], start.bbox[2]]]);
      loadCommunes(start.code);
    }
  }
  refresh();
  if (config.practice) openPermalink(config.practice);
})();
