/* The web chat page: sends what the person does (text, button presses, a location, photos) to
   the server in order, and appends the HTML the server renders from the bot's replies. The flow
   logic lives on the server; this file only moves events and HTML. The transcript is kept in
   sessionStorage, so a reload of the tab keeps the conversation on screen (the conversation
   itself lives in the server's database). What the bot says on its own (an official's answer)
   waits on the server until the page fetches it: on load, every few seconds, and when the tab
   comes back into view. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var photoInput = document.getElementById("photo-input");
  var voiceInput = document.getElementById("voice-input");
  var videoInput = document.getElementById("video-input");
  var STORE = "dvk-chat-transcript";
  var SHOWN = "dvk-chat-notices-shown";
  var shownNotices = 0;  // the highest notice id on screen: each fetch acknowledges it
  var fetchingNotices = false;
  var chain = Promise.resolve();
  var pending = 0;

  function newId() {
    var raw = window.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
    return raw.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40);
  }

  function setPending(delta) {
    pending += delta;
    transcript.dataset.pending = String(pending);
    form.classList.toggle("busy", pending > 0);
  }

  /* Actions go out one after another, in the order the person made them. */
  function enqueue(url, body, isJson) {
    setPending(1);
    chain = chain.then(function () { return post(url, body, isJson); })
      .finally(function () { setPending(-1); });
    return chain;
  }

  function post(url, body, isJson) {
    var headers = { "X-DVK-Chat": "1" };
    if (isJson) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", headers: headers, credentials: "same-origin",
                        body: isJson ? JSON.stringify(body) : body })
      .then(function (response) {
        return response.json().catch(function () { return null; });
      })
      .then(function (data) {
        if (data && typeof data.html === "string") appendBot(data.html);
        else appendNotice(config.text.network_error);
        // a text the bot holds for its further parts: its answer comes as a notice
        if (data && data.held) setTimeout(fetchNotices, data.held * 1000 + 300);
      })
      .catch(function () { appendNotice(config.text.network_error); });
  }

  function appendBot(html, pushed) {
    if (!html.trim()) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;  // rendered and escaped by the server
    if (!pushed && holder.querySelector(".msg.bot")) retireOldQuestions();
    while (holder.firstChild) transcript.appendChild(holder.firstChild);
    settle();
  }

  function appendNotice(text) {
    var div = document.createElement("div");
    div.className = "msg notice";
    div.textContent = text;
    transcript.appendChild(div);
    settle();
  }

  function appendMine(text, images) {
    var div = document.createElement("div");
    div.className = "msg mine";
    if (text) {
      var p = document.createElement("div");
      p.className = "text";
      p.textContent = text;
      div.appendChild(p);
    }
    (images || []).forEach(function (src) {
      var img = document.createElement("img");
      img.src = src;
      img.alt = "";
      div.appendChild(img);
    });
    transcript.appendChild(div);
    settle();
  }

  /* Buttons of earlier questions no longer apply, as on Telegram once a question is answered;
     a notice's buttons (view, rate) keep working, and a notice leaves the question open. */
  function retireOldQuestions() {
    transcript.querySelectorAll(".msg.bot:not(.pushed) button").forEach(function (button) {
      button.disabled = true;
    });
    transcript.querySelectorAll(".mini-map").forEach(function (div) { div.hidden = true; });
  }

  function settle() {
    try { sessionStorage.setItem(STORE, transcript.innerHTML); } catch (e) { /* full or off */ }
    window.scrollTo(0, document.body.scrollHeight);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function restore() {
    var saved = null;
    try { saved = sessionStorage.getItem(STORE); } catch (e) { saved = null; }
    if (!saved) return false;
    transcript.innerHTML = saved;
    transcript.querySelectorAll("img[src^='blob:']").forEach(function (img) { img.remove(); });
    transcript.querySelectorAll(".mini-map").forEach(function (div) {
      div.innerHTML = "";
      div.className = "mini-map";
      div.hidden = true;
      delete div.dataset.ready;
    });
    settle();
    return true;
  }

  function fetchNotices() {
    if (fetchingNotices) return;
    fetchingNotices = true;
    fetch("/chat/notices?shown=" + shownNotices,
          { headers: { "X-DVK-Chat": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || typeof data.shown !== "number") return;
        if (data.html) appendBot(data.html, true);
        shownNotices = data.shown;
        try { sessionStorage.setItem(SHOWN, String(shownNotices)); } catch (e) { /* off */ }
      })
      .catch(function () { /* offline: asked again at the next round */ })
      .finally(function () { fetchingNotices = false; });
  }

  function sendEvent(event, echo) {
    if (echo) appendMine(echo);
    event.id = newId();
    return enqueue("/chat/events", event, true);
  }

  function sendPhotos(files) {
    var list = Array.prototype.slice.call(files, 0);
    if (!list.length) return;
    if (list.length > config.maxPhotos) {
      appendNotice(config.text.too_many_photos);
      list = list.slice(0, config.maxPhotos);
    }
    var body = new FormData();
    body.append("id", newId());
    list.forEach(function (file) { body.append("photo", file, file.name); });
    appendMine(config.text.you_photos.replace("{count}", list.length),
               list.map(function (file) { return URL.createObjectURL(file); }));
    enqueue("/chat/photos", body, false);
  }

  /* A voice note: the phone's recorder (accept="audio/*" capture) or a sound file. */
  function sendVoice(file) {
    if (!file) return;
    var body = new FormData();
    body.append("id", newId());
    body.append("voice", file, file.name || "voice");
    appendMine(config.text.you_voice);
    enqueue("/chat/voice", body, false);
  }

  /* A short video: the phone's camera or a file (the server re-encodes it, with a poster). */
  function sendVideo(file) {
    if (!file) return;
    var body = new FormData();
    body.append("id", newId());
    body.append("video", file, file.name || "video");
    appendMine(config.text.you_video);
    enqueue("/chat/video", body, false);
  }

  function sendLocation(lat, lon) {
    sendEvent({ type: "location", lat: lat, lon: lon },
              config.text.you_location.replace("{lat}", lat.toFixed(5)).replace("{lon}", lon.toFixed(5)));
  }

  function geolocate(button) {
    if (!navigator.geolocation) { showPicker(button); return; }
    navigator.geolocation.getCurrentPosition(
      function (position) { sendLocation(position.coords.latitude, position.coords.longitude); },
      function () { appendNotice(config.text.geo_failed); showPicker(button); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  /* A small map to click on, for a place the person is not standing at (or no GPS). */
  function showPicker(button) {
    var box = button.closest(".ask-location");
    var holder = box.querySelector(".mini-map");
    holder.hidden = false;
    if (holder.dataset.ready) return;
    holder.dataset.ready = "1";
    var b = config.bounds;
    var picker = L.map(holder).fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(picker);
    }
    var marker = null;
    var send = box.querySelector(".send-picked");
    picker.on("click", function (event) {
      if (marker) marker.setLatLng(event.latlng);
      else marker = L.circleMarker(event.latlng, { radius: 8, color: "#b71c1c" }).addTo(picker);
      send.hidden = false;
      send.dataset.lat = String(event.latlng.lat);
      send.dataset.lon = String(event.latlng.lng);
    });
  }

  transcript.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.disabled) return;
    var action = button.dataset.action;
    if (action === "geolocate") return geolocate(button);
    if (action === "pick") return showPicker(button);
    if (action === "send-picked") {
      return sendLocation(parseFloat(button.dataset.lat), parseFloat(button.dataset.lon));
    }
    if (button.dataset.token !== undefined && button.dataset.value !== undefined) {
      sendEvent({ type: "choice", token: button.dataset.token, value: button.dataset.value },
                button.textContent);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    sendEvent({ type: "text", text: text }, text);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  photoInput.addEventListener("change", function () {
    sendPhotos(photoInput.files);
    photoInput.value = "";
  });

  voiceInput.addEventListener("change", function () {
    sendVoice(voiceInput.files[0]);
    voiceInput.value = "";
  });

  videoInput.addEventListener("change", function () {
    sendVideo(videoInput.files[0]);
    videoInput.value = "";
  });

  /* The language link switches the page and, for someone chatting, the bot's language too. */
  var langLink = document.getElementById("lang-switch");
  langLink.addEventListener("click", function (event) {
    event.preventDefault();
    enqueue("/chat/language", { lang: langLink.hreflang }, true)
      .then(function () { window.location.href = langLink.href; });
  });

  try { shownNotices = parseInt(sessionStorage.getItem(SHOWN), 10) || 0; } catch (e) { /* off */ }
  if (!restore()) sendEvent({ type: "command", name: "start" }, null);
  /* From a practice's page: "Chúng tôi đã học tập, nhân rộng" (/chat?nhanrong=MH-…). */
  var adopted = new URLSearchParams(window.location.search).get("nhanrong");
  if (adopted && /^MH-\d{4}-\d{1,12}$/.test(adopted)) {
    sendEvent({ type: "text", text: "/nhanrong " + adopted }, "/nhanrong " + adopted);
    var here = new URL(window.location.href);  // once: a reload must not declare it again
    here.searchParams.delete("nhanrong");
    window.history.replaceState(null, "", here);
  }
  chain.then(fetchNotices);  // after the first answer, which gives a new visitor their session
  setInterval(function () { if (!document.hidden) fetchNotices(); },
              config.noticePollSeconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) fetchNotices();
  });
})();
