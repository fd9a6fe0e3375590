// narrascope workbench: highlight toggles on the article page, facet auto-submit on search.
// Served from /static (the Content-Security-Policy allows no inline script).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var text = document.getElementById("article-text");
  var toggles = document.getElementById("toggles");
  if (text && toggles) {
    toggles.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.dataset || !box.dataset.layer) return;
      text.classList.toggle("show-" + box.dataset.layer, box.checked);
      if (box.dataset.layer === "quote") text.classList.toggle("show-speaker", box.checked);
    });
  }
  var form = document.getElementById("search-form");
  if (form) {
    form.querySelectorAll("select.facet").forEach(function (select) {
      select.addEventListener("change", function () { form.submit(); });
    });
  }
});
