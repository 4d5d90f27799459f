// Refreshes the live streams page: polls its JSON view every data-refresh seconds and redraws
// each chart (plotly, served locally) and the newest figures. A file of its own because the
// pages' Content-Security-Policy runs no inline script; without it the page still shows the
// data it was served with.
(function () {
  "use strict";
  function text(selector, value) {
    var el = document.querySelector(selector);
    if (el && value !== null && value !== undefined) {
      el.textContent = String(value);
    }
  }
  function apply(live) {
    text("[data-dead-letters]", live.dead_letters);
    text("[data-updated]", live.at_shown || live.at);
    live.devices.forEach(function (d) {
      if (d.latest) {
        text('[data-latest-seq="' + CSS.escape(d.id) + '"]', d.latest.seq);
        text('[data-latest-time="' + CSS.escape(d.id) + '"]', d.latest.shown || d.latest.time);
      }
      d.charts.forEach(function (c) {
        var id = CSS.escape(c.id);
        text('[data-latest-value="' + id + '"]', c.latest);
        text('[data-points="' + id + '"]', c.points);
        var el = document.querySelector('[data-chart-id="' + id + '"]');
        if (el && typeof Plotly !== "undefined") {
          Plotly.react(el, c.figure.data, c.figure.layout, { displaylogo: false, responsive: true });
        }
      });
    });
  }
  function start() {
    var root = document.querySelector("[data-live]");
    if (!root) {
      return;
    }
    var seconds = Math.max(2, parseInt(root.getAttribute("data-refresh"), 10) || 10);
    function poll() {
      fetch(root.getAttribute("data-live"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (live) {
          if (live) {
            apply(live);
            root.setAttribute("data-polled", String((parseInt(root.getAttribute("data-polled"), 10) || 0) + 1));
          }
        })
        .catch(function () { /* the next poll tries again */ });
    }
    window.setInterval(poll, seconds * 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
