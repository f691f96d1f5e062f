// Forms that tell before they send: a file above its form's limit (data-max-bytes) is refused in the browser, with
// the limit and the file's size, before a long upload ends in a 413. The server checks the same limit regardless.
(function () {
  "use strict";
  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString(undefined, { maximumFractionDigits: 1 }) + " MB";
  }
  function check(input) {
    var limit = Number(input.dataset.maxBytes);
    var file = input.files && input.files[0];
    if (file && limit && file.size > limit) {
      input.setCustomValidity(file.name + " is " + megabytes(file.size) + ": at most " + megabytes(limit) +
        " can be uploaded here. Choose a smaller file.");
    } else {
      input.setCustomValidity("");
    }
    input.reportValidity();
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.dataset.maxBytes) {
      check(input);
    }
  });
})();
