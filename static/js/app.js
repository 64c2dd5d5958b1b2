// Behaviour that pages once wrote inline (onclick=, onsubmit=, style=), which the
// Content-Security-Policy forbids. Pages say what they want with data- attributes:
//   data-sb-print            a button that prints the page
//   data-sb-fullscreen       a link that puts the page in full screen
//   data-sb-confirm="text"   a form (on submit) or button (on click) that asks first
//   data-sb-autosubmit       a select that submits its form when changed
//   data-sb-width="42"       an element (a progress bar) that is 42 % wide
// and a .table-responsive frame that scrolls sideways takes the keyboard focus.
// Listeners sit on the document, so content htmx swaps in later works the same.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-sb-print], [data-sb-fullscreen], button[data-sb-confirm], input[data-sb-confirm]");
    if (!target) return;
    if (target.hasAttribute("data-sb-print")) {
      window.print();
    } else if (target.hasAttribute("data-sb-fullscreen")) {
      event.preventDefault();
      if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    } else if (!window.confirm(target.getAttribute("data-sb-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-sb-confirm") && !window.confirm(form.getAttribute("data-sb-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-sb-autosubmit]") && select.form) {
      if (select.form.requestSubmit) select.form.requestSubmit();
      else select.form.submit();
    }
  });

  function applyWidths(root) {
    root.querySelectorAll("[data-sb-width]").forEach(function (el) {
      var percent = parseFloat(el.getAttribute("data-sb-width"));
      if (!isNaN(percent)) el.style.width = Math.max(0, Math.min(100, percent)) + "%";
    });
  }

  // A table wider than the screen scrolls in its frame (.table-responsive); keyboard users reach it
  // with Tab and scroll it with the arrow keys, so it must take the focus (WCAG 2.1.1).
  function focusableScrollers(root) {
    root.querySelectorAll(".table-responsive").forEach(function (frame) {
      var overflows = frame.scrollWidth > frame.clientWidth + 1;
      if (overflows && !frame.hasAttribute("tabindex")) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("data-sb-scroller", "");
      } else if (!overflows && frame.hasAttribute("data-sb-scroller")) {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("data-sb-scroller");
      }
    });
  }
  window.addEventListener("resize", function () { focusableScrollers(document); });

  if (window.htmx) {
    window.htmx.onLoad(applyWidths); // the page itself, then every swapped-in fragment
    window.htmx.onLoad(function () { focusableScrollers(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyWidths(document); focusableScrollers(document); });
  } else {
    applyWidths(document);
    focusableScrollers(document);
  }
})();
