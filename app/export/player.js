// The standalone replay's player, inlined into the downloaded HTML after Plotly. No module, no fetch,
// no URL: it reads the run from the page's JSON block and draws the function, each runner's path and
// its loss, step by step. Keys: space plays and pauses, arrows step, Home goes back to the start.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("replay-data").textContent);
  var texts = data.texts;
  var runs = data.runs;
  var last = Math.max.apply(null, runs.map(function (r) { return r.loss.length - 1; }));
  var FPS = 30;
  var step = 0;
  var timer = null;
  var drawing = false;
  var pending = false;

  function say(key, values) {
    var text = texts[key] || key;
    for (var name in values || {}) text = text.split("{" + name + "}").join(String(values[name]));
    return text;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ----- controls -----

  var controls = document.getElementById("controls");
  var first = el("button", { type: "button", title: say("export.replay.first") }, "|◀");
  var back = el("button", { type: "button", title: say("export.replay.back") }, "◀");
  var play = el("button", { type: "button", class: "play" }, say("export.replay.play"));
  var forward = el("button", { type: "button", title: say("export.replay.forward") }, "▶");
  var slider = el("input", { type: "range", min: "0", max: String(last), value: "0", "aria-label": say("export.replay.slider") });
  var label = el("span", { class: "step", "aria-live": "off" });
  controls.append(first, back, play, forward, slider, label);

  var legend = document.getElementById("runners");
  runs.forEach(function (run) {
    var item = el("li");
    var swatch = el("span", { class: "swatch" });
    swatch.style.background = run.colour;
    var status = el("span", { class: "status" });
    item.append(swatch, el("strong", {}, run.label), status);
    legend.append(item);
    run.statusNode = status;
  });

  // ----- drawing -----

  var dark = "#1d2433";
  var font = { family: "system-ui, sans-serif", size: 16, color: dark };
  var config = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false, modeBarButtons: [["toImage"]] };
  var picture = data.picture;

  function background() {
    if (picture.dim === 1) {
      return {
        type: "scatter", mode: "lines", x: picture.x, y: picture.y, hoverinfo: "skip", showlegend: false,
        line: { color: "#8a94a6", width: 3 },
      };
    }
    return {
      // The /2d page's colours: light in the valleys, darker up the hills.
      type: "contour", x: picture.x, y: picture.y, z: picture.z, showscale: false, hoverinfo: "skip", ncontours: 30,
      colorscale: [[0, "#f8fbff"], [0.35, "#dfe6ea"], [0.7, "#c9bfa8"], [1, "#8f7d62"]],
      contours: { coloring: "heatmap", showlines: true }, line: { color: "rgba(40, 40, 40, 0.35)", width: 1 },
    };
  }

  function until(values, k) { return values.slice(0, Math.min(k, values.length - 1) + 1); }
  function at(values, k) { return values[Math.min(k, values.length - 1)]; }

  function pathTraces(k) {
    var out = [];
    runs.forEach(function (run, i) {
      var ys = picture.dim === 1 ? run.loss : run.y;
      out.push({
        type: "scatter", mode: "lines+markers", x: until(run.x, k), y: until(ys, k), name: run.label,
        line: { color: run.colour, width: 2 }, marker: { color: run.colour, size: 5 }, showlegend: false,
        hovertemplate: run.label + "<extra></extra>",
      });
      out.push({
        type: "scatter", mode: "markers", x: [at(run.x, k)], y: [at(ys, k)], name: run.label, showlegend: false,
        marker: { color: run.colour, size: 18, symbol: run.symbol, line: { color: "#ffffff", width: 2 } },
        hovertemplate: run.label + " (%{x:.4g}, %{y:.4g})<extra></extra>", meta: "walker-" + i,
      });
    });
    return out;
  }

  function lossTraces(k) {
    return runs.map(function (run) {
      var losses = until(run.loss, k);
      return {
        type: "scatter", mode: "lines", x: losses.map(function (_, s) { return s; }), y: losses, name: run.label,
        line: { color: run.colour, width: 3 }, hovertemplate: run.label + " %{y:.4g}<extra></extra>",
      };
    });
  }

  // The function is drawn once on a base layer; only the light layer of paths above it is redrawn per step
  // (recomputing a contour for every step would take most of a second on a lecture laptop).
  var box = picture.box;
  function axes(base) {
    var hidden = { showgrid: false, showticklabels: false, zeroline: false, fixedrange: true };
    // "domain": equal axes shrink the plot area instead of widening a range past the computed picture.
    var x = { range: box[0], zeroline: false, fixedrange: true, title: { text: "x" }, constrain: "domain" };
    var y = picture.dim === 2
      ? { range: box[1], zeroline: false, fixedrange: true, title: { text: "y" }, constrain: "domain", scaleanchor: data.equal_axes ? "x" : undefined }
      : { range: picture.y_range, zeroline: false, fixedrange: true, title: { text: say("export.replay.f_of_x") } };
    if (!base) {
      x = Object.assign({}, x, hidden, { title: { text: "" } });
      y = Object.assign({}, y, hidden, { title: { text: "" } });
    }
    return { xaxis: x, yaxis: y };
  }
  function sceneLayout(base) {
    var clear = "rgba(0,0,0,0)";
    return Object.assign({
      font: font, margin: { l: 70, r: 20, t: 10, b: 55 }, showlegend: false,
      paper_bgcolor: base ? "#ffffff" : clear, plot_bgcolor: base ? "#ffffff" : clear,
    }, axes(base));
  }
  var lossLayout = {
    font: font, margin: { l: 70, r: 20, t: 10, b: 55 }, paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
    xaxis: { title: { text: say("export.replay.step_axis") }, range: [0, Math.max(1, last)] },
    yaxis: { title: { text: say("export.replay.loss_axis") }, type: data.log_loss ? "log" : "linear", dtick: data.log_loss ? 1 : undefined },
    showlegend: false, uirevision: "keep",
  };

  var baseDiv = document.getElementById("scene-base");
  var pathsDiv = document.getElementById("scene-paths");
  var lossDiv = document.getElementById("loss");
  Plotly.newPlot(baseDiv, [background()], sceneLayout(true), Object.assign({}, config, { staticPlot: true }));

  function draw() {
    if (drawing) { pending = true; return Promise.resolve(); }
    drawing = true;
    var k = step;
    label.textContent = say("export.replay.step", { n: k, total: last });
    slider.value = String(k);
    play.textContent = timer ? say("export.replay.pause") : say("export.replay.play");
    runs.forEach(function (run) {
      var ended = k >= run.loss.length - 1 && run.status !== "running";
      run.statusNode.textContent = ended ? run.message : "";
    });
    return Promise.all([
      Plotly.react(pathsDiv, pathTraces(k), sceneLayout(false), config),
      Plotly.react(lossDiv, lossTraces(k), lossLayout, config),
    ]).then(function () {
      drawing = false;
      document.body.dataset.step = String(k);
      document.body.dataset.ended = String(k >= last);
      if (pending) { pending = false; return draw(); }
    });
  }

  function go(k) {
    step = Math.max(0, Math.min(last, k));
    return draw();
  }

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  // Playback keeps time, not count: the whole run takes about twelve seconds on any machine, and a slow one
  // draws fewer of the steps in between (never fewer than two steps a second, so short runs stay readable).
  var stepsPerSecond = Math.max(2, last / 12);
  function toggle() {
    if (timer) { stop(); draw(); return; }
    if (step >= last) step = 0;
    var startedAt = performance.now();
    var from = step;
    timer = setInterval(function () {
      if (drawing) return;
      if (step >= last) { stop(); draw(); return; }
      var due = from + Math.floor(((performance.now() - startedAt) / 1000) * stepsPerSecond);
      if (due > step) go(due);
    }, 1000 / FPS);
    draw();
  }

  first.addEventListener("click", function () { stop(); go(0); });
  back.addEventListener("click", function () { stop(); go(step - 1); });
  forward.addEventListener("click", function () { stop(); go(step + 1); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", function () { stop(); go(Number(slider.value)); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider && event.key !== " ") return;
    if (event.key === " ") { event.preventDefault(); toggle(); }
    else if (event.key === "ArrowRight") { stop(); go(step + 1); }
    else if (event.key === "ArrowLeft") { stop(); go(step - 1); }
    else if (event.key === "Home") { stop(); go(0); }
    else if (event.key === "End") { stop(); go(last); }
  });

  window.hillsideReplay = { go: go, toggle: toggle, last: last };
  go(0);
})();
