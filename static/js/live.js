// The live state on the round's page and in presenter mode (polls status.json).
//
// Each page carries the state it was rendered with (data-state); the first poll runs at once,
// so a round closed between rendering and the first poll is still seen. The presenter turns to
// the results by reloading; the round's page updates its counts and offers a reload.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "sv";
  var en = lang === "en";
  var presenter = document.querySelector(".presenter-main[data-status-url]");
  var roundPage = document.querySelector(".live-count[data-status-url]");
  var root = presenter || roundPage;

  // Only a change is written: the live regions announce what changed, not every poll.
  function put(el, text) { if (el && el.textContent.trim() !== String(text)) { el.textContent = text; } }
  function setText(id, text) { put(document.getElementById(id), text); }

  function showHistogram(h) {
    var fig = document.getElementById("live-histogram");
    if (!fig || !h) { return; }
    var bars = fig.querySelector(".histogram-bars"), wait = fig.querySelector(".histogram-wait");
    bars.hidden = !h.shown;
    wait.hidden = !!h.shown;
    if (!h.shown) { return; }
    var peak = Math.max.apply(null, h.bars.map(function (b) { return b[1]; }).concat([1]));
    bars.textContent = "";
    h.bars.forEach(function (b) {
      var row = document.createElement("div"), count = document.createElement("span"),
          meter = document.createElement("meter"), label = document.createElement("span");
      row.className = "histogram-bar";
      count.className = "histogram-count"; count.textContent = b[1];
      label.className = "histogram-label"; label.textContent = b[0];
      meter.min = 0; meter.max = peak; meter.value = b[1];
      meter.setAttribute("aria-label", b[0] + ": " + b[1]);
      row.appendChild(label); row.appendChild(meter); row.appendChild(count);
      bars.appendChild(row);
    });
  }

  function apply(s) {
    var rendered = root.getAttribute("data-state");
    if (presenter) {
      if (s.state !== rendered) { window.location.reload(); return; }
      setText("live-answered", s.answered);
      setText("live-invited", "/ " + s.invited);
      setText("live-status", s.status_label);
      showHistogram(s.histogram);
      return;
    }
    put(roundPage, en ? s.answered + " of " + s.invited + " panelists have answered."
                               : s.answered + " av " + s.invited + " paneldeltagare har svarat.");
    Object.keys(s.groups || {}).forEach(function (code) {
      var g = s.groups[code];
      document.querySelectorAll("[data-group='" + code + "']").forEach(function (cell) {
        var key = cell.getAttribute("data-count");
        if (key in g) { put(cell, g[key]); }
      });
    });
    var notice = document.getElementById("state-changed");
    if (notice && s.state !== rendered) { notice.hidden = false; }
  }

  function refresh() {
    fetch(root.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(apply)
      .catch(function () { /* keep the last count; the next poll tries again */ });
  }
  if (root) {
    refresh();
    window.setInterval(refresh, 4000);
  }

  // --- presenter: full screen, results paged by themselves --------------------------------
  var full = document.getElementById("fullscreen");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () { document.documentElement.requestFullscreen().catch(function () {}); });
  }

  var results = document.querySelector(".presenter-results");
  if (!results) { return; }
  var list = results.querySelector("ol");
  var rows = Array.prototype.slice.call(list.children);
  var indicator = document.getElementById("page-indicator");
  var prev = document.getElementById("page-prev"), next = document.getElementById("page-next"),
      pause = document.getElementById("page-pause");
  var seconds = parseInt(results.getAttribute("data-seconds") || "12", 10);
  var pages = [], current = 0, timer = null;

  // Pages of as many rows as fit between the list's top and the controls at the bottom.
  function paginate() {
    rows.forEach(function (r) { r.hidden = false; });
    var controls = document.querySelector(".presenter-controls");
    var room = window.innerHeight - list.getBoundingClientRect().top - (controls ? controls.offsetHeight : 0) - 24;
    pages = [];
    var page = [], used = 0;
    rows.forEach(function (r) {
      var h = r.getBoundingClientRect().height + 8;
      if (page.length && used + h > room) { pages.push(page); page = []; used = 0; }
      page.push(r); used += h;
    });
    if (page.length) { pages.push(page); }
    current = Math.min(current, pages.length - 1);
    show();
  }
  function show() {
    pages.forEach(function (p, n) { p.forEach(function (r) { r.hidden = n !== current; }); });
    if (pages.length > 1) {
      list.setAttribute("start", String(rows.indexOf(pages[current][0]) + 1));
      indicator.textContent = (en ? "page {p} of {n}" : "sida {p} av {n}").replace("{p}", current + 1).replace("{n}", pages.length);
    } else { indicator.textContent = ""; }
    [prev, next, pause].forEach(function (b) { b.hidden = pages.length < 2; });
  }
  function go(step) { current = (current + step + pages.length) % pages.length; show(); }
  function play() {
    timer = window.setInterval(function () { go(1); }, seconds * 1000);
    pause.textContent = pause.getAttribute("data-pause");
    pause.setAttribute("aria-pressed", "false");
  }
  function stop() {
    window.clearInterval(timer); timer = null;
    pause.textContent = pause.getAttribute("data-play");
    pause.setAttribute("aria-pressed", "true");
  }
  function toggle() { if (timer) { stop(); } else { play(); } }
  prev.addEventListener("click", function () { go(-1); });
  next.addEventListener("click", function () { go(1); });
  pause.addEventListener("click", toggle);
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("button, a")) { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") { go(1); }
    else if (event.key === "ArrowLeft" || event.key === "PageUp") { go(-1); }
    else if (event.key === " " || event.key === "p") { event.preventDefault(); toggle(); }
  });
  window.addEventListener("resize", paginate);
  paginate();
  if (pages.length > 1) { play(); }
})();
