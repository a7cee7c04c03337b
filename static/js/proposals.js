// Progressive enhancement: votes are sent without reloading the page and the counts update in place.
// Without this file every vote form posts normally and the page reloads with the new counts.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }
  var forms = document.querySelectorAll("[data-vote-form]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "choice") { return; }
      event.preventDefault();
      var data = new FormData(form);
      data.set("choice", button.value);
      var buttons = form.querySelectorAll("button[name=choice]");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
          if (!result.ok) { showMessage(form, result.body.message || result.body.error); return; }
          var counts = document.querySelectorAll('[data-counts="' + result.body.proposal + '"]');
          Array.prototype.forEach.call(counts, function (block) {
            ["pour", "contre", "sans_avis", "participants_label"].forEach(function (key) {
              var cell = block.querySelector('[data-count="' + key + '"]');
              if (cell) { cell.textContent = result.body[key]; }
            });
          });
          if (typeof result.body.votes_used === "number") {
            Array.prototype.forEach.call(document.querySelectorAll("[data-votes-used]"), function (cell) {
              cell.textContent = result.body.votes_used;
            });
          }
          Array.prototype.forEach.call(buttons, function (b) {
            var pressed = b.value === result.body.choice;
            b.setAttribute("aria-pressed", pressed ? "true" : "false");
            b.classList.toggle("button-secondary", !pressed);
          });
          showMessage(form, form.getAttribute("data-saved") || "", true);
        })
        .catch(function () {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = "choice"; hidden.value = button.value;
          form.appendChild(hidden);
          form.submit();
        });
    });
  });
  function showMessage(form, text, ok) {
    var box = form.querySelector("[data-vote-message]");
    if (!box) {
      box = document.createElement("p");
      box.setAttribute("data-vote-message", "");
      box.setAttribute("role", "status");
      box.className = "small";
      form.appendChild(box);
    }
    box.className = ok ? "small" : "small error-message";
    box.textContent = text;
  }
})();
