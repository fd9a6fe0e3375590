// narrascope workbench: draws every <canvas class="chart" data-chart="CONFIG-JSON"> with the
// vendored Chart.js (static/vendor). Configurations are plain data built in web/charts.py.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas.chart[data-chart]").forEach(function (canvas) {
    var config;
    try {
      config = JSON.parse(canvas.dataset.chart);
    } catch (e) {
      return;
    }
    canvas.chart = new Chart(canvas, config);
    canvas.classList.add("drawn");
  });
});
