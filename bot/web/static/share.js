/* "Chia sẻ": the phone's own share sheet (Zalo, Messenger, …) where the browser has one, else
   the link is copied and the button says so. No third-party script: the page stays offline-able
   and nobody is tracked. */
(function () {
  "use strict";
  var button = document.getElementById("share");
  if (!button) return;
  button.addEventListener("click", function () {
    var url = button.dataset.url, title = button.dataset.title;
    if (navigator.share) {
      navigator.share({ title: title, url: url }).catch(function () {});
      return;
    }
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(done, function () { window.prompt(title, url); });
    } else {
      window.prompt(title, url);
    }
  });
})();
