// The eligibility basis form: show only the evidence fields of the kind chosen (candidates.forms.BasisForm marks
// each with `data-for-kinds`). Without this script every field is shown, with its help text saying when it applies.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) return;
  var fields = document.querySelectorAll("[data-for-kinds]");
  function wrapperOf(input) {
    return input.closest("div") || input.parentNode;
  }
  function show() {
    fields.forEach(function (input) {
      var kinds = input.getAttribute("data-for-kinds").split(" ");
      wrapperOf(input).hidden = kind.value !== "" && kinds.indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", show);
  show();
})();
