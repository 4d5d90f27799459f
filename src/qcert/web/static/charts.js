// Draws each chart of the page from the plotly figure its element carries in data-plotly.
// A file of its own because the pages' Content-Security-Policy runs no inline script.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") {
      return; // the table beside each chart still shows its numbers
    }
    document.querySelectorAll("[data-plotly]").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-plotly"));
      el.setAttribute("data-drawn", "pending");
      Plotly.newPlot(el, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
      }).then(function () {
        el.setAttribute("data-drawn", "yes");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
