// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary after a failed submission, so it is read out first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
