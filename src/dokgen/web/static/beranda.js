// Buat baru: the "salin dari" list shows only records of the chosen kind.
(function () {
  "use strict";
  const kind = document.querySelector("[data-kind-select]");
  const copy = document.querySelector("[data-copy-select]");
  if (!kind || !copy) return;
  function filter() {
    for (const option of copy.options) {
      if (option.dataset.kind) option.hidden = option.disabled = option.dataset.kind !== kind.value;
    }
    if (copy.selectedOptions[0] && copy.selectedOptions[0].disabled) copy.value = "";
  }
  kind.addEventListener("change", filter);
  filter();
})();
