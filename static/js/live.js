// Live response count for the facilitator's page and the projector (polls a JSON endpoint).
(function () {
  "use strict";
  var box = document.querySelector(".live-count[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var big = box.getAttribute("data-format") === "big";
  var lang = document.documentElement.lang || "sv";
  var closedOnLoad = null;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (closedOnLoad === null) { closedOnLoad = s.status === "closed"; }
        if (big) {
          box.querySelector(".big").textContent = s.answered;
          box.lastChild.textContent = " / " + s.invited;
        } else {
          box.textContent = (lang === "en" ? s.answered + " of " + s.invited + " panelists have answered."
                                            : s.answered + " av " + s.invited + " paneldeltagare har svarat.");
        }
        if (big && s.status === "closed" && !closedOnLoad) { window.location.reload(); }
      })
      .catch(function () { /* keep the last count */ });
  }
  window.setInterval(refresh, 4000);
})();
