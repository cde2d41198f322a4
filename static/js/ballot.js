// Saves each answer once the panelist has chosen it. Without JavaScript the form's submit
// button saves all.
//
// A radio group moves its selection with the arrow keys: each arrow is a "change", but only
// the value the panelist stops at is their answer. So a change made by keyboard waits for a
// short pause, Enter/Space or leaving the question; a click or tap saves at once. A refused
// save puts the stored answer back and says why beside the question.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot[data-autosave]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave");
  var method = form.getAttribute("data-method");
  var maxSelections = parseInt(form.getAttribute("data-max") || "0", 10);
  var rankLimit = parseInt(form.getAttribute("data-rank-limit") || "0", 10);
  var statusBox = document.getElementById("save-status");
  var progressText = document.getElementById("progress");
  var progressBar = document.querySelector("progress");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var lang = document.documentElement.lang || "sv";
  var PAUSE_MS = 800;
  var texts = {
    sv: { saving: "Sparar …", failed: "Kunde inte spara. Kontrollera anslutningen; svaret sparas när du trycker på Spara svaren.",
          answered: "Du har besvarat {d} av {t}.", selected: "Du har valt {d} av högst {t}.",
          chosen: "{d} av {t} valda", full: "{d} av {t} valda. Avmarkera någon för att välja en annan.",
          reason: "Ditt svar har korsat gränsen vid 7 eller 3. Motivera gärna i rutan under frågan.",
          up: "Flytta upp", down: "Flytta ner", place: "Ge plats", remove: "Ta bort plats",
          moved: "{c} har plats {r}.", removed: "{c} har ingen plats.", free: "ledig",
          places: "Platser", noPlace: "Ingen plats" },
    en: { saving: "Saving …", failed: "Could not save. Check your connection; the answer is saved when you press Save answers.",
          answered: "You have answered {d} of {t}.", selected: "You have selected {d} of at most {t}.",
          chosen: "{d} of {t} selected", full: "{d} of {t} selected. Untick one to choose another.",
          reason: "Your answer crossed the 7 or 3 boundary. Please give a reason in the box below the question.",
          up: "Move up", down: "Move down", place: "Give a place", remove: "Remove place",
          moved: "{c} is in place {r}.", removed: "{c} has no place.", free: "free",
          places: "Places", noPlace: "No place" }
  }[lang === "en" ? "en" : "sv"];

  function fmt(text, values) {
    return text.replace(/\{(\w)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }
  function say(text, isError) {
    if (!statusBox) { return; }
    statusBox.textContent = text;
    statusBox.classList.toggle("is-error", !!isError);
  }
  function questions() { return Array.prototype.slice.call(form.querySelectorAll("fieldset.question")); }
  function idOf(question) { return question.getAttribute("data-indicator"); }
  function codeOf(question) { var c = question.querySelector("legend .code"); return c ? c.textContent : idOf(question); }
  function valueInputs(question) { return question.querySelectorAll("input[name='value-" + idOf(question) + "']"); }

  // The state of a question's fields as the server last confirmed it.
  function snapshot(question) {
    var state = {};
    question.querySelectorAll("input, textarea").forEach(function (el) {
      if (!el.name) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { state[el.name] = el.value; } else if (!(el.name in state)) { state[el.name] = ""; }
      } else { state[el.name] = el.value; }
    });
    return state;
  }
  function restore(question, state) {
    question.querySelectorAll("input, textarea").forEach(function (el) {
      if (!el.name || !(el.name in state)) { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = state[el.name] === el.value; }
      else { el.value = state[el.name]; }
    });
  }
  var saved = {};
  questions().forEach(function (q) { saved[idOf(q)] = snapshot(q); });

  // The error beside the question: shown, announced, and tied to its fields.
  function showError(question, text) {
    var id = idOf(question);
    var box = document.getElementById("err-" + id);
    if (!box) {
      box = document.createElement("p");
      box.className = "error-text";
      box.id = "err-" + id;
      var legend = question.querySelector("legend");
      legend.parentNode.insertBefore(box, legend.nextSibling);
    }
    box.textContent = text;
    box.hidden = false;
    question.classList.add("field-error");
    valueInputs(question).forEach(function (el) {
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", box.id);
    });
  }
  function clearError(question) {
    var box = document.getElementById("err-" + idOf(question));
    if (box) { box.hidden = true; box.textContent = ""; }
    question.classList.remove("field-error");
    valueInputs(question).forEach(function (el) { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); });
  }

  function answered(question) {
    var id = idOf(question);
    var checked = question.querySelector("input[name='value-" + id + "']:checked");
    var number = question.querySelector("input[type=number][name='value-" + id + "']");
    return !!(checked || (number && number.value !== ""));
  }
  function updateProgress() {
    if (progressText) {
      var kind = progressText.getAttribute("data-kind");
      var done = questions().filter(answered).length;
      progressText.textContent = fmt(texts[kind], { d: done, t: progressText.getAttribute("data-total") });
      if (progressBar) { progressBar.value = done; }
    }
    if (method === "approval") { updateApproval(); }
    if (method === "ranking") { updateRanking(); }
  }

  // --- saving ------------------------------------------------------------------------------
  // ``group``: the questions one save covers (one; two or more when places are swapped).
  function post(group, onDone) {
    var data = new URLSearchParams();  // urlencoded: cheap for the server to parse
    data.append("csrf_token", token);
    group.forEach(function (question) {
      var state = snapshot(question);
      Object.keys(state).forEach(function (name) { data.append(name, state[name]); });
    });
    say(texts.saving);
    fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true,
                 headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        var body = result.body;
        var first = group[0];
        if (!result.ok) {
          group.forEach(function (q) { restore(q, saved[idOf(q)]); });
          showError(first, body.message || texts.failed);
          say(body.message || texts.failed, true);
          updateProgress();
          if (onDone) { onDone(false); }
          return;
        }
        group.forEach(function (q) { saved[idOf(q)] = snapshot(q); clearError(q); });
        say(body.message || "");
        var needs = (body.needs_reason || []).map(String);
        group.forEach(function (q) {
          var wrap = document.getElementById("reason-wrap-" + idOf(q));
          if (!wrap) { return; }
          var text = wrap.querySelector("textarea");
          if (needs.indexOf(idOf(q)) >= 0) {
            if (wrap.hidden) { wrap.hidden = false; say(texts.reason); }
          } else if (text && text.value === "") {
            wrap.hidden = true;  // judged on the final answer: no crossing, no question
          }
        });
        updateProgress();
        if (onDone) { onDone(true); }
      })
      .catch(function () {
        group.forEach(function (q) { restore(q, saved[idOf(q)]); });
        showError(group[0], texts.failed);
        say(texts.failed, true);
        updateProgress();
        if (onDone) { onDone(false); }
      });
  }

  function changed(question) {
    var now = snapshot(question), before = saved[idOf(question)];
    return Object.keys(now).some(function (k) { return now[k] !== before[k]; });
  }

  var timers = {};
  function commit(question) {
    var id = idOf(question);
    if (timers[id]) { window.clearTimeout(timers[id]); delete timers[id]; }
    if (changed(question)) { post([question]); }
  }
  function later(question) {
    var id = idOf(question);
    if (timers[id]) { window.clearTimeout(timers[id]); }
    timers[id] = window.setTimeout(function () { delete timers[id]; commit(question); }, PAUSE_MS);
  }

  var keyboard = false;  // the last change came from an arrow key
  form.addEventListener("keydown", function (event) {
    keyboard = /^Arrow/.test(event.key);
    var question = event.target.closest("fieldset.question");
    if (!question || event.target.type !== "radio") { return; }
    if (event.key === "Enter") { event.preventDefault(); commit(question); }
    else if (event.key === " ") { window.setTimeout(function () { commit(question); }, 0); }
  });
  form.addEventListener("pointerdown", function () { keyboard = false; });
  form.addEventListener("change", function (event) {
    var question = event.target.closest("fieldset.question");
    if (!question) { return; }
    if (method === "approval" && event.target.type === "checkbox") { updateApproval(); }
    if (event.target.type === "radio" && keyboard) { later(question); } else { commit(question); }
  });
  form.addEventListener("focusout", function (event) {
    var question = event.target.closest("fieldset.question");
    if (question && timers[idOf(question)] && !question.contains(event.relatedTarget)) { commit(question); }
  });
  window.addEventListener("pagehide", function () {
    questions().forEach(function (q) { if (timers[idOf(q)]) { commit(q); } });
  });

  // --- approval: at most K ticked ----------------------------------------------------------
  var approvalStatus = document.getElementById("approval-status");
  function updateApproval() {
    if (!maxSelections) { return; }
    var boxes = form.querySelectorAll("input[type=checkbox][name^='value-']");
    var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    boxes.forEach(function (b) { b.disabled = !b.checked && ticked >= maxSelections; });
    if (approvalStatus) {
      approvalStatus.textContent = fmt(ticked >= maxSelections ? texts.full : texts.chosen, { d: ticked, t: maxSelections });
      approvalStatus.classList.toggle("is-full", ticked >= maxSelections);
    }
  }
  if (method === "approval") { updateApproval(); }

  // --- ranking: places by buttons, with an overview of the places taken --------------------
  var overview = document.getElementById("rank-overview");
  function rankOf(question) {
    var input = question.querySelector("input[type=number]");
    var v = input ? parseInt(input.value, 10) : NaN;
    return isNaN(v) ? null : v;
  }
  function setRank(question, rank) { question.querySelector("input[type=number]").value = rank === null ? "" : String(rank); }
  function holder(rank, except) {
    return questions().filter(function (q) { return q !== except && rankOf(q) === rank; })[0] || null;
  }
  function firstFree() {
    for (var r = 1; r <= rankLimit; r += 1) { if (!holder(r)) { return r; } }
    return null;
  }
  function move(question, action) {
    var rank = rankOf(question), group = [question], other;
    if (action === "place") { setRank(question, firstFree()); }
    else if (action === "remove") { setRank(question, null); }
    else {
      var target = action === "up" ? rank - 1 : rank + 1;
      other = holder(target, question);
      if (other) { setRank(other, rank); group.push(other); }
      setRank(question, target);
    }
    post(group, function (ok) {
      if (!ok) { return; }
      var r = rankOf(question);
      say(r === null ? fmt(texts.removed, { c: codeOf(question) }) : fmt(texts.moved, { c: codeOf(question), r: r }));
      var again = question.querySelector("[data-move='" + action + "']");
      if (again && !again.disabled) { again.focus(); }
      else { var any = question.querySelector(".rank-buttons button:not([disabled])"); if (any) { any.focus(); } }
    });
  }
  function updateRanking() {
    questions().forEach(function (q) {
      var rank = rankOf(q), bar = q.querySelector(".rank-buttons");
      if (!bar) { return; }
      bar.querySelector("[data-move=place]").hidden = rank !== null;
      bar.querySelector("[data-move=place]").disabled = rank === null && firstFree() === null;
      bar.querySelector("[data-move=up]").hidden = rank === null;
      bar.querySelector("[data-move=up]").disabled = rank === null || rank <= 1;
      bar.querySelector("[data-move=down]").hidden = rank === null;
      bar.querySelector("[data-move=down]").disabled = rank === null || rank >= rankLimit;
      bar.querySelector("[data-move=remove]").hidden = rank === null;
    });
    if (!overview) { return; }
    var list = overview.querySelector("ol");
    list.textContent = "";
    for (var r = 1; r <= rankLimit; r += 1) {
      var li = document.createElement("li"), q = holder(r);
      li.textContent = q ? codeOf(q) + " " + q.querySelector("legend").textContent.replace(codeOf(q), "").trim() : "– " + texts.free;
      if (!q) { li.className = "free"; }
      list.appendChild(li);
    }
  }
  if (method === "ranking" && rankLimit) {
    questions().forEach(function (q) {
      var bar = document.createElement("div");
      bar.className = "rank-buttons";
      [["place", texts.place], ["up", texts.up], ["down", texts.down], ["remove", texts.remove]].forEach(function (pair) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button button-secondary";
        b.setAttribute("data-move", pair[0]);
        b.textContent = pair[1];
        b.setAttribute("aria-label", pair[1] + " " + codeOf(q));
        b.addEventListener("click", function () { move(q, pair[0]); });
        bar.appendChild(b);
      });
      q.querySelector(".rank-field").appendChild(bar);
      q.querySelector("input[type=number]").addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); commit(q); }
      });
    });
    if (overview) { overview.hidden = false; }
    updateRanking();
  }
})();
