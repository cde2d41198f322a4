// Saves each rating of a measure as it is given and shows the progress ("12 av 30 bedömda").
// Without JavaScript the form's submit button saves all.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rating-autosave]");
  if (!form) { return; }
  var url = form.getAttribute("data-rating-autosave");
  var statusBox = document.getElementById("save-status");
  var progressText = document.getElementById("rating-progress");
  var progressBar = document.getElementById("rating-bar");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var lang = document.documentElement.lang === "en" ? "en" : "sv";
  var texts = {
    sv: { saving: "Sparar …", failed: "Kunde inte spara. Kontrollera anslutningen; bedömningen sparas när du trycker på Spara bedömningarna.", progress: "{d} av {t} bedömda." },
    en: { saving: "Saving …", failed: "Could not save. Check your connection; the rating is saved when you press Save the ratings.", progress: "{d} of {t} rated." }
  }[lang];

  function say(text) { if (statusBox) { statusBox.textContent = text; } }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.name || input.name.indexOf("rate-") !== 0) { return; }
    var data = new URLSearchParams();
    data.append("csrf_token", token);
    data.append(input.name, input.value);
    say(texts.saving);
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        var body = result.body;
        say(body.message || (result.ok ? "" : texts.failed));
        var fieldset = input.closest("fieldset");
        if (fieldset) { fieldset.classList.toggle("field-error", !result.ok); }
        if (!result.ok) { return; }
        if (progressText) { progressText.textContent = texts.progress.replace("{d}", body.rated).replace("{t}", body.needed); }
        if (progressBar) { progressBar.value = body.rated; progressBar.max = body.needed || 1; }
      })
      .catch(function () { say(texts.failed); });
  });
}());
