// Questionnaires, progressive enhancement only: "listen" buttons, the live readability hint,
// and keyboard shortcuts for paper entry. Every page works without this file.
(function () {
  "use strict";

  // Listen: read a question or a choice aloud in its language, where the browser can.
  var container = document.querySelector("[data-listen-label]");
  if (container && "speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
    var label = container.getAttribute("data-listen-label");
    container.querySelectorAll("[data-listen]").forEach(function (element) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "listen";
      button.textContent = "\u25B6 " + label;
      var language = element.closest("[lang]") ? element.closest("[lang]").getAttribute("lang") : "fr";
      button.setAttribute("lang", document.documentElement.lang);
      button.setAttribute("aria-label", label + " : " + element.textContent.trim().slice(0, 80));
      button.addEventListener("click", function (event) {
        event.preventDefault();
        window.speechSynthesis.cancel();
        var utterance = new SpeechSynthesisUtterance(element.textContent.trim());
        utterance.lang = language;
        utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      });
      // Outside the <label>, so clicking it never ticks the choice.
      var holder = element.closest("label") || element;
      holder.insertAdjacentElement("afterend", button);
    });
  }

  // Builder: refresh the readability hint while the question is typed.
  var builder = document.querySelector("[data-readability-url]");
  if (builder && window.fetch) {
    var text = builder.querySelector("#text");
    var output = builder.querySelector("[data-readability-output]");
    var token = builder.querySelector("input[name=csrf_token]");
    var timer = null;
    if (text && output) {
      output.setAttribute("aria-live", "polite");
      text.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var body = new FormData();
          body.append("text", text.value);
          body.append("csrf_token", token ? token.value : "");
          fetch(builder.getAttribute("data-readability-url"), { method: "POST", body: body, credentials: "same-origin" })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (report) {
              if (!report) { return; }
              output.className = "readability readability-" + report.level;
              output.textContent = "";
              var line = document.createElement("p");
              line.textContent = report.level === "non_mesure" ? report.level_label : report.score + " / 100 — " + report.level_label;
              output.appendChild(line);
              if (report.rare_words.length) {
                var rare = document.createElement("p");
                rare.className = "small";
                rare.textContent = report.rare_words.join(", ");
                output.appendChild(rare);
              }
            })
            .catch(function () {});
        }, 400);
      });
    }
  }

  // Paper entry at the speed of the hand: a digit ticks a choice (a single answer then moves on),
  // digits rank the themes, Enter moves to the next question (or saves, on the button), Alt+arrows
  // go back and forth, Ctrl+Enter saves. The form number is selected: typing replaces it.
  var entry = document.querySelector("[data-paper-entry]");
  if (entry) {
    var blocks = Array.prototype.slice.call(entry.querySelectorAll("[data-question]"));
    var save = entry.querySelector("[data-save]");
    var number = entry.querySelector("#form_number");
    var current = function () {
      var active = document.activeElement;
      var index = blocks.findIndex(function (block) { return block.contains(active); });
      if (index >= 0 || !active || !entry.contains(active)) { return index; }
      // A field between questions (the form's date): as if on the question before it.
      var next = blocks.findIndex(function (block) {
        return active.compareDocumentPosition(block) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
      return next === -1 ? blocks.length - 1 : next - 1;
    };
    var focusBlock = function (index) {
      if (index >= blocks.length && save) { save.focus(); save.scrollIntoView({ block: "center" }); return; }
      var block = blocks[Math.max(0, Math.min(blocks.length - 1, index))];
      var target = block && (block.querySelector("input:checked") ||
                             block.querySelector("input:not([type=hidden]), select, textarea"));
      if (target) { target.focus(); block.scrollIntoView({ block: "center" }); }
    };
    if (number) {
      number.addEventListener("focus", function () { number.select(); });
      if (document.activeElement === number) { number.select(); }
    }
    var rank = function (block, select, digit) {
      var option = select.options[digit];  // options[0] is "none"; the themes follow, numbered
      if (!option) { return; }
      select.value = option.value;
      var selects = Array.prototype.slice.call(block.querySelectorAll("select"));
      var following = selects.slice(selects.indexOf(select) + 1).find(function (s) { return !s.value; });
      if (following) { following.focus(); } else { focusBlock(blocks.indexOf(block) + 1); }
    };
    entry.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      var plain = !event.ctrlKey && !event.altKey && !event.metaKey;
      if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        focusBlock(current() + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        entry.requestSubmit ? entry.requestSubmit() : entry.submit();
      } else if (plain && event.key === "Enter" && active && active.tagName !== "TEXTAREA" &&
                 active.tagName !== "BUTTON" && entry.contains(active)) {
        event.preventDefault();
        focusBlock(current() + 1);
      } else if (plain && /^[1-9]$/.test(event.key) && active && active.tagName === "SELECT" &&
                 active.closest("[data-kind='ranking']")) {
        event.preventDefault();
        rank(active.closest("[data-kind='ranking']"), active, parseInt(event.key, 10));
      } else if (plain && /^[1-9]$/.test(event.key) && active &&
                 (active.type === "radio" || active.type === "checkbox")) {
        var block = blocks[current()];
        var choice = block && block.querySelector("input[data-key='" + event.key + "']");
        if (choice) {
          event.preventDefault();
          choice.checked = choice.type === "radio" ? true : !choice.checked;
          choice.focus();
          var max = parseInt(block.getAttribute("data-max") || "0", 10);
          var ticked = block.querySelectorAll("input:checked").length;
          if (choice.type === "radio" || (max && ticked >= max)) { focusBlock(blocks.indexOf(block) + 1); }
        }
      }
    });
  }
  // Thanks page: copy the receipt code, or print it. Without this file the code is still on the
  // page, and the browser's own print menu prints it alone (questionnaires.css).
  var actions = document.querySelector("[data-receipt-actions]");
  if (actions) {
    var copy = actions.querySelector("[data-copy]");
    var status = actions.querySelector("[data-copy-status]");
    var code = document.getElementById(copy.getAttribute("data-copy"));
    copy.addEventListener("click", function () {
      var said = function (ok) {
        status.textContent = copy.getAttribute(ok ? "data-copied" : "data-copy-failed");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent.trim()).then(function () { said(true); }, function () { said(false); });
      } else {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        said(document.execCommand && document.execCommand("copy"));
      }
    });
    actions.querySelector("[data-print]").addEventListener("click", function () { window.print(); });
    actions.hidden = false;
  }
})();
