/* starcoach web: the answer timer, the interview countdown and the score charts.
   No inline scripts (the Content-Security-Policy forbids them); data comes from
   data-* attributes and <script type="application/json"> blocks. */
(function () {
  "use strict";

  function clock(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var s = Math.round(Math.abs(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return sign + m + ":" + (r < 10 ? "0" : "") + r;
  }

  function startTimers() {
    var started = Date.now();
    var timers = document.querySelectorAll("[data-timer]");
    var elapsedFields = document.querySelectorAll("input[data-elapsed]");
    var countdowns = document.querySelectorAll("[data-countdown]");
    if (!timers.length && !countdowns.length) return;
    function tick() {
      var elapsed = (Date.now() - started) / 1000;
      timers.forEach(function (el) {
        el.textContent = clock(elapsed);
        var low = Number(el.dataset.targetLow), high = Number(el.dataset.targetHigh);
        el.classList.toggle("in-target", elapsed >= low && elapsed <= high);
        el.classList.toggle("over-target", elapsed > high);
      });
      elapsedFields.forEach(function (el) { el.value = elapsed.toFixed(1); });
      countdowns.forEach(function (el) {
        el.textContent = clock(Number(el.dataset.countdown) - elapsed);
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function drawCharts() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas.trend-chart").forEach(function (canvas) {
      var source = canvas.parentElement.nextElementSibling;
      if (!source || !source.classList.contains("chart-data")) return;
      var data;
      try { data = JSON.parse(source.textContent); } catch (e) { return; }
      var colours = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490"];
      var datasets = data.series.map(function (s, i) {
        return {
          label: s.label,
          data: s.points.map(function (p) { return { x: p.n, y: p.value }; }),
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length],
          borderWidth: i === 0 ? 3 : 1.5,
          tension: 0.2,
          pointRadius: 3
        };
      });
      new window.Chart(canvas, {
        type: "line",
        data: { datasets: datasets },
        options: {
          animation: false,
          maintainAspectRatio: false,
          parsing: true,
          scales: {
            x: { type: "linear", title: { display: true, text: "answer number" }, ticks: { precision: 0 } },
            y: { min: 0, max: 100, title: { display: true, text: "score" } }
          }
        }
      });
    });
  }

  function busyState() {
    document.body.addEventListener("htmx:beforeRequest", function (e) {
      var target = e.detail.target;
      if (target) target.setAttribute("aria-busy", "true");
    });
    document.body.addEventListener("htmx:afterRequest", function (e) {
      var target = e.detail.target;
      if (target) target.setAttribute("aria-busy", "false");
    });
    document.body.addEventListener("htmx:sendError", function (e) {
      var target = e.detail.target;
      if (target) {
        target.innerHTML = "";
        var p = document.createElement("p");
        p.className = "alert error";
        p.setAttribute("role", "alert");
        p.textContent = "starcoach is not answering; is the server still running?";
        target.appendChild(p);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startTimers();
    drawCharts();
    busyState();
  });
})();
