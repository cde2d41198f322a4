// Saves each answer as it is given. Without JavaScript the form's submit button saves all.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot[data-autosave]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave");
  var statusBox = document.getElementById("save-status");
  var progressText = document.getElementById("progress");
  var progressBar = document.querySelector("progress");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var lang = document.documentElement.lang || "sv";
  var texts = {
    sv: { saving: "Sparar …", failed: "Kunde inte spara. Kontrollera anslutningen; svaret sparas när du trycker på Spara svaren.",
          answered: "Du har besvarat {d} av {t}.", selected: "Du har valt {d} av högst {t}.",
          reason: "Ditt svar har korsat gränsen vid 7 eller 3. Motivera gärna i rutan under frågan." },
    en: { saving: "Saving …", failed: "Could not save. Check your connection; the answer is saved when you press Save answers.",
          answered: "You have answered {d} of {t}.", selected: "You have selected {d} of at most {t}.",
          reason: "Your answer crossed the 7 or 3 boundary. Please give a reason in the box below the question." }
  }[lang === "en" ? "en" : "sv"];

  function say(text) { if (statusBox) { statusBox.textContent = text; } }

  // Urlencoded (URLSearchParams), not multipart FormData: a fresh multipart boundary per save
  // costs the server far more to parse than the answer itself.
  function fieldsOf(question) {
    var data = new URLSearchParams();
    data.append("csrf_token", token);
    question.querySelectorAll("input, textarea").forEach(function (el) {
      if (!el.name) { return; }
      if ((el.type === "radio" || el.type === "checkbox")) {
        if (el.checked) { data.append(el.name, el.value); }
      } else {
        data.append(el.name, el.value);
      }
    });
    var id = question.getAttribute("data-indicator");
    if (!data.has("value-" + id)) { data.append("value-" + id, ""); }
    return data;
  }

  // Progress is counted on the page: a question is answered when it has a value.
  function updateProgress() {
    if (!progressText) { return; }
    var kind = progressText.getAttribute("data-kind");
    var total = progressText.getAttribute("data-total");
    var done = 0;
    form.querySelectorAll("fieldset.question").forEach(function (q) {
      var id = q.getAttribute("data-indicator");
      var checked = q.querySelector("input[name='value-" + id + "']:checked");
      var number = q.querySelector("input[type=number][name='value-" + id + "']");
      if (checked || (number && number.value !== "")) { done += 1; }
    });
    progressText.textContent = texts[kind].replace("{d}", done).replace("{t}", total);
    if (progressBar) { progressBar.value = done; }
  }

  function save(question) {
    say(texts.saving);
    fetch(url, { method: "POST", body: fieldsOf(question), credentials: "same-origin",
                 headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        var body = result.body;
        say(body.message || (result.ok ? "" : texts.failed));
        question.classList.toggle("field-error", !result.ok);
        if (!result.ok) { return; }
        updateProgress();
        (body.needs_reason || []).forEach(function (id) {
          var wrap = document.getElementById("reason-wrap-" + id);
          if (wrap && wrap.hidden) { wrap.hidden = false; say(texts.reason); }
        });
      })
      .catch(function () { say(texts.failed); });
  }

  form.addEventListener("change", function (event) {
    var question = event.target.closest("fieldset.question");
    if (question) { save(question); }
  });
})();
