// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Language menu: change on selection (the button still works without JavaScript).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var button = select.form.querySelector("button");
    if (button) { button.hidden = true; }
  });

  // Conditional questions: shown only when the question they depend on has a given answer.
  // The server ignores an answer to a question that does not apply, so this is a courtesy.
  var form = document.getElementById("inquiry-form");
  if (form) {
    var dependents = form.querySelectorAll("[data-when-item]");
    var refresh = function () {
      dependents.forEach(function (wrap) {
        var wanted = wrap.getAttribute("data-when-values").split(" ");
        var name = wrap.getAttribute("data-when-item");
        var chosen = Array.prototype.map.call(
          form.querySelectorAll('[name="' + name + '"]:checked, select[name="' + name + '"]'),
          function (input) { return input.value; }
        );
        var shown = chosen.some(function (value) { return wanted.indexOf(value) !== -1; });
        wrap.hidden = !shown;
        wrap.querySelectorAll("input, select, textarea").forEach(function (input) {
          input.disabled = !shown;
        });
        var when = wrap.querySelector(".when");
        if (when) { when.hidden = true; }
      });
    };
    form.addEventListener("change", refresh);
    refresh();
  }

  // Error summary: focus it so screen readers announce it, and bring its top (its heading)
  // to the top of the screen; a summary taller than a phone's screen would otherwise be
  // centred, its heading out of sight.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  }
})();
