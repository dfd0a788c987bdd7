// The officials' console: small progressive touches; every page works without this file.
(function () {
  "use strict";
  var csrf = document.currentScript && document.currentScript.dataset.csrf;
  // Filters apply as soon as a select or checkbox changes.
  var filters = document.getElementById("filters");
  if (filters) {
    filters.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox]")) { filters.submit(); }
    });
  }
  // "Select all" for bulk actions.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=item]").forEach(function (box) { box.checked = all.checked; });
    });
  }
  // A reply template fills the answer box (the official may still edit it).
  document.querySelectorAll("select[data-template-for]").forEach(function (select) {
    select.addEventListener("change", function () {
      var box = document.getElementById(select.dataset.templateFor);
      var option = select.selectedOptions[0];
      if (box && option && option.dataset.text) { box.value = option.dataset.text; box.focus(); }
    });
  });
  // Every form the page builds later, or any fetch, carries the CSRF token.
  window.consoleCsrf = csrf;
})();
// A record's place on a small map (Leaflet, served by us; tiles only when a tile server is set).
(function () {
  "use strict";
  var box = document.getElementById("record-map");
  if (!box || !window.L) { return; }
  var at = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
  var map = window.L.map(box, { attributionControl: !!box.dataset.tiles }).setView(at, 15);
  if (box.dataset.tiles) {
    window.L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  }
  window.L.circleMarker(at, { radius: 9, color: "#8b1d1d", weight: 3 }).addTo(map);
})();
