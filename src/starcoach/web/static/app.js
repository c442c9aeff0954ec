/* starcoach web: the answer timer, the interview countdown (with pause), recorded
   answers and the score charts. No inline scripts (the Content-Security-Policy forbids
   them); data comes from data-* attributes and <script type="application/json"> blocks.
   Every form works without this script; it only makes the page livelier. */
(function () {
  "use strict";

  function clock(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var s = Math.round(Math.abs(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return sign + m + ":" + (r < 10 ? "0" : "") + r;
  }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  /* POST a form body to a page route that answers JSON; errors come back as {error}. */
  function postJson(url, body, form) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrfToken(form) }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.error || "starcoach could not do that (HTTP " + response.status + ").");
        }
        return data;
      });
    }, function () {
      throw new Error("starcoach is not answering; is the server still running?");
    });
  }

  /* -- the clocks: one stopwatch drives the answer timer and the interview countdown --- */

  var watch = { base: 0, since: Date.now(), running: true };

  function elapsed() {
    return watch.base + (watch.running ? (Date.now() - watch.since) / 1000 : 0);
  }

  function startTimers() {
    var timers = document.querySelectorAll("[data-timer]");
    var elapsedFields = document.querySelectorAll("input[data-elapsed]");
    var countdowns = document.querySelectorAll("[data-countdown]");
    if (!timers.length && !countdowns.length) return;
    var box = document.querySelector("[data-mock-clock]");
    watch.running = !(box && box.dataset.paused === "true");
    function tick() {
      var spent = elapsed();
      timers.forEach(function (el) {
        var shown = Number(el.dataset.start || 0) + spent;
        el.textContent = clock(shown);
        var low = Number(el.dataset.targetLow), high = Number(el.dataset.targetHigh);
        el.classList.toggle("in-target", shown >= low && shown <= high);
        el.classList.toggle("over-target", shown > high);
      });
      elapsedFields.forEach(function (el) { el.value = spent.toFixed(1); });
      countdowns.forEach(function (el) {
        el.textContent = clock(Number(el.dataset.countdown) - spent);
      });
    }
    watch.tick = tick;
    tick();
    window.setInterval(tick, 1000);
  }

  /* Set the clocks to what the server says (a mock's time is kept on the server). */
  function syncClocks(state) {
    document.querySelectorAll("[data-timer]").forEach(function (el) {
      el.dataset.start = String(state.answer_seconds);
    });
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      el.dataset.countdown = String(state.time_left);
    });
    watch.base = 0;
    watch.since = Date.now();
    watch.running = !state.paused;
    if (watch.tick) watch.tick();
  }

  /* -- pausing a mock interview --------------------------------------------------------- */

  function pauseControls() {
    var form = document.querySelector("form[data-pause-form]");
    var box = document.querySelector("[data-mock-clock]");
    if (!form || !box) return;
    var button = form.querySelector("button");
    var status = document.querySelector("[data-pause-status]");
    var answer = document.getElementById("answer");
    var submit = document.getElementById("submit-answer");

    function apply(paused) {
      box.dataset.paused = paused ? "true" : "false";
      form.action = paused ? form.dataset.resumeUrl : form.dataset.pauseUrl;
      button.textContent = paused ? "Resume" : "Pause";
      if (answer) answer.readOnly = paused;
      if (submit) submit.disabled = paused;
      document.querySelectorAll("[data-record-button]").forEach(function (b) {
        if (b.dataset.unsupported !== "true") b.disabled = paused;
      });
      status.classList.remove("alert", "error");
      status.textContent = paused
        ? "Paused: the interview clock and the answer timer are stopped, and the pause does " +
          "not count in the report. Press Resume to go on."
        : "";
    }

    apply(box.dataset.paused === "true");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      postJson(form.action, new FormData(form), form).then(function (state) {
        syncClocks(state);
        apply(state.paused);
        if (!state.paused && answer) answer.focus();
      }).catch(function (error) {
        status.classList.add("alert", "error");
        status.textContent = error.message;
      }).then(function () {
        button.disabled = false;
      });
    });
  }

  /* -- recorded answers ------------------------------------------------------------------ */

  var RECORDING_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  var EXTENSIONS = { "audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a" };

  function recordingType() {
    if (typeof window.MediaRecorder.isTypeSupported !== "function") return "";
    for (var i = 0; i < RECORDING_TYPES.length; i++) {
      if (window.MediaRecorder.isTypeSupported(RECORDING_TYPES[i])) return RECORDING_TYPES[i];
    }
    return "";
  }

  function canRecord() {
    return Boolean(window.MediaRecorder && navigator.mediaDevices &&
      typeof navigator.mediaDevices.getUserMedia === "function");
  }

  function microphoneProblem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The browser did not allow the microphone. Allow it for this page (the icon " +
        "in the address bar) and press Record again, or type your answer.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found. Connect one and press Record again, or type your answer.";
    }
    if (name === "NotReadableError") {
      return "The microphone is busy in another program. Close it there and try again.";
    }
    return "Recording could not start (" + (error && error.message || name || "unknown error") +
      "). Type your answer instead.";
  }

  function spokenSummary(result) {
    var speech = result.speech || {};
    var parts = [Math.round(speech.words_per_minute || 0) + " words per minute" +
      (speech.pace ? " (" + speech.pace + " pace)" : "")];
    var fillers = (speech.fillers || []).length;
    parts.push(fillers + " filler word" + (fillers === 1 ? "" : "s"));
    var pauses = (speech.pauses || []).length;
    parts.push(pauses + " long pause" + (pauses === 1 ? "" : "s"));
    return "Transcribed " + clock(result.seconds || 0) + " of speech: " + parts.join(", ") +
      ". Check the text and fix any word it misheard, then submit.";
  }

  function recorders() {
    document.querySelectorAll("[data-recorder]").forEach(function (box) {
      var button = box.querySelector("[data-record-button]");
      if (!button) return; // the voice extra is missing: the page says why
      var label = button.querySelector("[data-record-label]") || button;
      var status = box.querySelector("[data-record-status]");
      var shownTime = box.querySelector("[data-record-clock]");
      var target = document.getElementById(box.dataset.target);
      var form = target && target.form;
      var submit = form && form.querySelector("[type=submit]");
      var limit = Number(box.dataset.maxSeconds) || 300;
      var recorder = null, stream = null, chunks = [], started = 0, ticker = null;

      function say(text, problem) {
        status.textContent = text;
        status.classList.toggle("alert", Boolean(problem));
        status.classList.toggle("error", Boolean(problem));
      }

      if (!canRecord() || !target) {
        button.disabled = true;
        button.dataset.unsupported = "true";
        say("This browser cannot record here: recording needs a current browser and the " +
          "page opened at http://127.0.0.1 or http://localhost. Type your answer instead.", true);
        return;
      }

      function busy(on) {
        if (submit) submit.disabled = on;
        var pause = document.getElementById("pause-button");
        if (pause) pause.disabled = on; // finish the recording before pausing the interview
        target.setAttribute("aria-busy", on ? "true" : "false");
      }

      /* The running time is shown beside the button, outside the live region, so a
         screen reader hears "Recording" once rather than every second. */
      function tick() {
        var seconds = (Date.now() - started) / 1000;
        if (shownTime) shownTime.textContent = clock(seconds) + " / " + clock(limit);
        if (seconds >= limit && recorder && recorder.state === "recording") recorder.stop();
      }

      function upload() {
        window.clearInterval(ticker);
        if (shownTime) shownTime.textContent = "";
        if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
        button.classList.remove("recording");
        label.textContent = "Record your answer";
        var type = (recorder.mimeType || "audio/webm").split(";")[0];
        var blob = new Blob(chunks, { type: type });
        if (!blob.size) {
          busy(false);
          say("Nothing was recorded; check the microphone and try again.", true);
          return;
        }
        button.disabled = true;
        say("Transcribing your answer on this computer…");
        var body = new FormData();
        body.append("audio", blob, "answer" + (EXTENSIONS[type] || ".webm"));
        postJson(box.dataset.url, body, form).then(function (result) {
          target.value = result.text;
          target.dispatchEvent(new Event("input", { bubbles: true }));
          say(spokenSummary(result));
        }).catch(function (error) {
          say(error.message, true);
        }).then(function () {
          button.disabled = false;
          busy(false);
        });
      }

      function start() {
        button.disabled = true;
        navigator.mediaDevices.getUserMedia({ audio: true }).then(function (media) {
          stream = media;
          chunks = [];
          var type = recordingType();
          var options = { audioBitsPerSecond: 48000 };
          if (type) options.mimeType = type;
          recorder = new window.MediaRecorder(stream, options);
          recorder.addEventListener("dataavailable", function (event) {
            if (event.data && event.data.size) chunks.push(event.data);
          });
          recorder.addEventListener("stop", upload);
          recorder.start(1000);
          started = Date.now();
          busy(true);
          button.disabled = false;
          button.classList.add("recording");
          label.textContent = "Stop recording";
          say("Recording… speak your answer, then press Stop recording.");
          tick();
          ticker = window.setInterval(tick, 1000);
        }).catch(function (error) {
          button.disabled = false;
          say(microphoneProblem(error), true);
        });
      }

      button.addEventListener("click", function () {
        if (recorder && recorder.state === "recording") {
          recorder.stop();
        } else {
          start();
        }
      });
    });
  }

  /* -- charts ---------------------------------------------------------------------------- */

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
    recorders();
    pauseControls();
    drawCharts();
    busyState();
  });
})();
