// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Language menu: one button per language, so nothing changes until one is pressed. The
  // page reloads in the new language; what was typed in the page's forms is kept in this
  // tab's sessionStorage (keyed by the path), put back after the reload, and forgotten as
  // soon as it is restored or the form is sent. Files and passwords are never kept.
  var KEY = "cellclinic.typed:" + location.pathname;
  var kept = function (input) {
    return input.name && !input.disabled &&
      ["hidden", "file", "password", "submit", "button"].indexOf(input.type) === -1;
  };
  var typedForms = function () {
    return Array.prototype.filter.call(document.forms, function (f) {
      return !f.hasAttribute("data-keep-typed") && f.method.toLowerCase() === "post";
    });
  };
  // Each input is known by its name and, for a box or a radio, its value (or else its
  // position among the inputs of that name), so hidden questions do not shift the others.
  var keyed = function (f, each) {
    var seen = {};
    Array.prototype.filter.call(f.elements, kept).forEach(function (input) {
      var checkable = input.type === "checkbox" || input.type === "radio";
      var nth = seen[input.name] = (seen[input.name] || 0) + 1;
      each(input.name + "\u0000" + (checkable ? "=" + input.value : "#" + nth), input, checkable);
    });
  };
  var save = function () {
    var saved = typedForms().map(function (f) {
      var values = {};
      keyed(f, function (key, input, checkable) {
        if (checkable) {
          values[key] = input.checked;
        } else if (input.multiple) {
          values[key] = Array.prototype.filter.call(input.options, function (o) {
            return o.selected;
          }).map(function (o) { return o.value; });
        } else {
          values[key] = input.value;
        }
      });
      return values;
    });
    try { sessionStorage.setItem(KEY, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  };
  var restore = function () {
    var raw = null;
    try { raw = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { return; }
    if (!raw) { return; }
    var saved = JSON.parse(raw);
    typedForms().forEach(function (f, index) {
      var values = saved[index] || {};
      keyed(f, function (key, input, checkable) {
        if (!Object.prototype.hasOwnProperty.call(values, key)) { return; }
        if (checkable) {
          input.checked = values[key];
        } else if (input.multiple) {
          Array.prototype.forEach.call(input.options, function (o) {
            o.selected = values[key].indexOf(o.value) !== -1;
          });
        } else {
          input.value = values[key];
        }
      });
    });
  };
  restore();
  document.querySelectorAll("form[data-keep-typed]").forEach(function (menu) {
    menu.addEventListener("submit", save);
  });
  typedForms().forEach(function (f) {
    f.addEventListener("submit", function () {
      try { sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
    });
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

  // Long lists (the countries): a search box above the list keeps only the options whose
  // name, in the page's language or in English (data-alt), contains what is typed. Accents
  // and case are ignored. The list itself stays a plain select, so nothing depends on this.
  var fold = function (text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  document.querySelectorAll("select[data-search-label]").forEach(function (select) {
    var all = Array.prototype.slice.call(select.options);
    var box = document.createElement("input");
    var label = document.createElement("label");
    var none = document.createElement("p");
    box.type = "search";
    box.id = select.id + "-search";
    box.className = "list-search";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-controls", select.id);
    label.htmlFor = box.id;
    label.className = "help";
    label.textContent = select.getAttribute("data-search-label");
    none.className = "help";
    none.setAttribute("role", "status");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(none, select.nextSibling);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      var chosen = select.value;  // stays in the list, whatever is typed
      var kept = all.filter(function (option) {
        var names = option.text + " " + (option.getAttribute("data-alt") || "");
        return !option.value || option.value === chosen || !wanted ||
          fold(names).indexOf(wanted) !== -1;
      });
      select.replaceChildren.apply(select, kept);
      select.value = chosen;
      var found = kept.filter(function (o) { return o.value && o.value !== chosen; }).length;
      none.textContent = wanted && !found ? select.getAttribute("data-search-none") : "";
      if (found === 1 && !select.value) {
        select.value = kept.filter(function (o) { return o.value; })[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  // Error summary: focus it so screen readers announce it, and bring its top (its heading)
  // to the top of the screen; a summary taller than a phone's screen would otherwise be
  // centred, its heading out of sight.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  }
})();
