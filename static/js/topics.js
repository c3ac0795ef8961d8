/* Hot topics page: "copy the list" and "print" buttons (hidden without JavaScript; the text stays selectable). */
(function () {
  "use strict";
  function copyText(area, button) {
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, function () {
        area.select();
      });
      return;
    }
    area.focus();
    area.select();
    try {
      if (document.execCommand("copy")) {
        done();
      }
    } catch (e) {
      /* the text stays selected: the user copies it by hand */
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var area = document.getElementById(button.getAttribute("data-copy"));
      if (!area) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(area, button);
      });
    });
    var printers = document.querySelectorAll("button[data-print]");
    Array.prototype.forEach.call(printers, function (button) {
      if (typeof window.print !== "function") {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
