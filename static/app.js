/* The layout's small helpers, for every page (templates/base.html).
   - The main navigation is a <details> menu: open on a wide screen (where its summary is hidden by app.css),
     folded on a phone (up to 800 px, app.css's breakpoint), and it follows the screen when that changes.
   - A table wider than its box scrolls in it (app.css): such a table takes the keyboard focus, so the arrow keys
     scroll it; one that fits does not, so it adds no stop to the tab order.
   - A file above its form's limit (data-max-bytes) is refused before it is sent, with the limit and the file's
     size, beside the field, instead of a long upload ending in a 413. The server checks the same limit
     regardless. */
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

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString(undefined, { maximumFractionDigits: 1 }) + " MB";
  }

  // The message beside the field, where the server puts its own (templates/_form_errors.html: "<name>-error"),
  // made if the page has none yet; the field points at it while it says something.
  function besideError(input, message) {
    var id = input.name + "-error";
    var note = document.getElementById(id);
    if (!note && message) {
      note = document.createElement("p");
      note.id = id;
      note.className = "field-error";
      input.insertAdjacentElement("afterend", note);
    }
    if (note) { note.textContent = message; }
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (each) {
      return each && each !== id;
    });
    if (message) { described.push(id); }
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  function checkUpload(input) {
    var limit = Number(input.dataset.maxBytes);
    var file = input.files && input.files[0];
    var message = "";
    if (file && limit && file.size > limit) {
      message = file.name + " is " + megabytes(file.size) + ": at most " + megabytes(limit) +
        " can be uploaded here. Choose a smaller file.";
    }
    input.setCustomValidity(message);
    besideError(input, message);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.maxBytes) {
      checkUpload(input);
    }
  });
})();
