/* Draws the monitor's trend charts with Chart.js from the canvas's data-chart JSON. */
(function () {
  "use strict";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    new Chart(canvas, {
      type: spec.type || "line",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s) {
          return {
            label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color,
            borderDash: s.dashed ? [6, 4] : [], spanGaps: false, tension: 0.2
          };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.dataset.drawn = "1";
  });
})();
