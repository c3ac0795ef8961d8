/* Raising a voice: show the pickers that fit the choices, say which photos are chosen, apply the category
   suggested while typing. Progressive enhancement: the form works without it (no inline script: CSP). */
(function () {
  "use strict";

  function photoInputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=file][name=photos]"));
  }

  function showPhotos(form) {
    var status = document.getElementById("photo-status");
    if (!status) { return; }
    var maxFiles = parseInt(status.getAttribute("data-max-files"), 10) || 9;
    var maxBytes = parseInt(status.getAttribute("data-max-bytes"), 10) || 10485760;
    var files = [];
    photoInputs(form).forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { files.push(f); });
    });
    var parts = [];
    var bad = false;
    if (files.length) {
      parts.push(status.getAttribute("data-chosen") + " " + files.length);
    }
    if (files.length > maxFiles) {
      parts.push(status.getAttribute("data-too-many"));
      bad = true;
    }
    if (files.some(function (f) { return f.size > maxBytes; })) {
      parts.push(status.getAttribute("data-too-large"));
      bad = true;
    }
    status.textContent = parts.join(" ");
    status.classList.toggle("bad", bad);
  }

  function sync(form) {
    var where = form.querySelector("input[name=location_kind]:checked");
    var kind = form.querySelector("input[name=kind]:checked");
    form.setAttribute("data-where", where ? where.value : "");
    form.setAttribute("data-kind", kind ? kind.value : "");
  }

  function applySuggestion() {
    var form = document.querySelector("form.voice-form");
    var hint = document.getElementById("category-suggestion");
    var select = form && form.querySelector("select[name=category]");
    if (!hint || !select || select.getAttribute("data-touched")) { return; }
    var id = hint.getAttribute("data-category");
    if (id && select.querySelector("option[value='" + id + "']")) {
      select.value = id;
    }
  }

  function setup(form) {
    form.classList.add("enhanced");
    sync(form);
    showPhotos(form);
    form.addEventListener("change", function (event) {
      var name = event.target.getAttribute("name");
      if (name === "location_kind" || name === "kind") { sync(form); }
      if (name === "category" && event.isTrusted) { event.target.setAttribute("data-touched", "1"); }
      if (name === "photos") { showPhotos(form); }
    });
    document.body.addEventListener("htmx:afterSettle", applySuggestion);
  }

  function start() {
    var form = document.querySelector("form.voice-form");
    if (form) { setup(form); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
