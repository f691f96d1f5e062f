/* The layout's small helpers, for every page (templates/base.html).
   - The main navigation is a <details> menu: open on a wide screen (where its summary is hidden by app.css),
     folded on a phone (up to 800 px, app.css's breakpoint), and it follows the screen when that changes.
   - A table wider than its box scrolls in it (app.css): such a table takes the keyboard focus, so the arrow keys
     scroll it; one that fits does not, so it adds no stop to the tab order. */
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 801px)");

  function fitMenu() {
    var menu = document.querySelector("header.top details.menu");
    if (menu) { menu.open = wide.matches; }
  }

  function focusScrollingTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }

  function fit() { fitMenu(); focusScrollingTables(); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
  wide.addEventListener("change", fitMenu);
  window.addEventListener("resize", focusScrollingTables);
  document.addEventListener("htmx:afterSettle", focusScrollingTables);
})();
