// /network: training a network is walking down a hillside whose coordinates are the weights. The same
// websocket session and transport as /1d and /2d drive one network, or two or three side by side.
import { fetchOptimizers } from "./lib/api.js";
import { setPresenter, showConnection, showToast, wireChrome } from "./lib/chrome.js";
import { fillSelect } from "./lib/controls.js";
import { installExportMenu } from "./lib/export.js";
import { num } from "./lib/format.js";
import { bindPageKeys } from "./lib/keys.js";
import { neighbour, sceneUrl } from "./lib/lecture.js";
import { t } from "./lib/messages.js";
import { colour } from "./lib/palette.js";
import { keepSized } from "./lib/resize.js";
import { shortName } from "./lib/run-text.js";
import { plotText } from "./lib/room-panel.js";
import { installRoom } from "./lib/room.js";
import { SceneNav } from "./lib/scene-nav.js";
import { renderSceneList, showScene } from "./lib/scene-list.js";
import { Session } from "./lib/session.js";
import { UrlState } from "./lib/state.js";
import { Timeline } from "./lib/timeline.js";
import { SPEEDS, Transport } from "./lib/transport.js";
import { drawBoundary } from "./network/boundary.js";
import { drawGradients, drawLosses, drawSeries, layerColour } from "./network/charts.js";
import { drawDiagram } from "./network/diagram.js";
import { drawLandscape, fetchLandscape } from "./network/landscape.js";
import { drawNeuron, fetchNeuron } from "./network/neuron.js";
import { DEFAULTS, SCENES } from "./network/scenes.js";

const DATASETS = ["xor", "circles", "moons", "spiral", "blobs", "sine", "plane", "gaussian"];
const REGRESSION = ["sine", "plane", "gaussian"]; // learnt with squared error, drawn as a curve or a heat map
const ACTIVATIONS = ["tanh", "sigmoid", "relu", "linear"];
const LOSSES = ["cross_entropy", "squared_error"];
const INITS = ["xavier_he", "small_uniform", "zeros", "large"];
const BATCHES = [0, 16, 1];
const UNITS = ["update", "epoch"];
const COMPARE = ["none", "batches", "fixes", "inits"];
const VIEWS = ["training", "landscape", "neuron"];
const FEATURES = ["x", "y", "x2", "y2", "xy", "sin_x", "sin_y"];
const ONE_INPUT_FEATURES = ["x", "x2", "sin_x"]; // what a one-input data set (the sine) can offer
const ONE_INPUT = ["sine"];
const NOISES = [0, 0.05, 0.1, 0.2, 0.3, 0.5];
const TEST_SHARES = [0, 10, 20, 30, 40, 50]; // percent of the points held out
const PENALTIES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]; // TensorFlow Playground's rates up to 1
const MAX_STEPS = 3000;
const LIGHT_LAYERS = ["#8fd744", "#35b779"];

/** "x,x2" -> ["x", "x2"] in catalogue order; null unless 1–7 known features, each once. */
export function parseFeatures(text) {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  const ok = names.length >= 1 && names.every((n) => FEATURES.includes(n)) && new Set(names).size === names.length;
  return ok ? FEATURES.filter((f) => names.includes(f)) : null;
}

/** "8,8" -> [8, 8]; "" -> []; null when it is not 0–6 whole numbers from 1 to 16. */
export function parseHidden(text) {
  const parts = text.split(",").map((s) => s.trim()).filter(Boolean);
  const sizes = parts.map(Number);
  const ok = sizes.length <= 6 && sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 16);
  return ok ? sizes : null;
}

class NetworkPage {
  async boot() {
    try {
      this.optimizers = (await fetchOptimizers()).filter((o) => o.family === "first_order");
    } catch (error) {
      showToast(error.message, { error: true, ms: 60000 });
      return;
    }
    this.url = new UrlState(this.properties());
    const params = new URLSearchParams(window.location.search);
    const bare = ![...params.keys()].some((k) => k !== "presenter");
    const scene = bare ? SCENES[0].id : params.get("scene");
    this.state = this.url.read(window.location.search, this.baseState(scene));
    setPresenter(this.state.presenter);
    this.session = new Session({
      onRender: () => this.render(),
      onStarted: (message) => this.started(message),
      onCursor: (step) => {
        this.state.step = step;
        this.writeUrl();
      },
      onError: (text) => showToast(text, { error: true }),
      onNotice: (text) => showToast(text, { ms: 8000 }),
      onConnection: showConnection,
    });
    this.transport = new Transport({
      session: this.session,
      speed: this.state.speed,
      onSpeed: (speed) => {
        this.state.speed = speed;
        this.writeUrl();
      },
    });
    this.buildControls();
    this.timeline = new Timeline(document.getElementById("timeline"), {
      session: this.session,
      labels: () => this.labels(),
      optimizer: (id) => this.optimizers.find((o) => o.id === id),
    });
    this.sceneNav = new SceneNav({ page: "network", goToScene: (offset) => this.goToScene(offset) });
    this.wireKeys();
    installExportMenu(this, { race: false });
    this.room = installRoom(this); // "Share live", or following a lecture (lib/room.js)
    keepSized(
      ...["net-loss-plot", "net-grad-plot", "landscape-around", "landscape-plane", "neuron-squared", "neuron-cross"].map(
        (id) => document.getElementById(id),
      ),
    );
    // The charts choose their ticks for their height: draw again when a panel changes size.
    const redraw = new ResizeObserver(() => requestAnimationFrame(() => this.render()));
    for (const id of ["net-loss-plot", "net-grad-plot"]) redraw.observe(document.getElementById(id));
    this.chainUnit = 0;
    this.session.connect();
    if (!this.room.follows) this.startRace(this.state.step);
    window.hillside = this; // for the browser tests and the curious
  }

  properties() {
    const oneOf = (list) => (v) => list.includes(v);
    return [
      { name: "dataset", type: "string", default: DEFAULTS.dataset, valid: oneOf(DATASETS) },
      { name: "hidden", type: "string", default: DEFAULTS.hidden, valid: (v) => parseHidden(v) !== null },
      { name: "features", type: "string", default: "x,y", valid: (v) => parseFeatures(v) !== null },
      { name: "noise", type: "number", default: 0.05, valid: (v) => NOISES.includes(v) },
      { name: "test", type: "int", default: 20, valid: (v) => TEST_SHARES.includes(v) },
      { name: "showtest", type: "bool", default: true },
      { name: "discrete", type: "bool", default: false },
      { name: "l2", type: "number", default: 0, valid: (v) => PENALTIES.includes(v) },
      { name: "l1", type: "number", default: 0, valid: (v) => PENALTIES.includes(v) },
      { name: "activation", type: "string", default: DEFAULTS.activation, valid: oneOf(ACTIVATIONS) },
      { name: "loss", type: "string", default: DEFAULTS.loss, valid: oneOf(LOSSES) },
      { name: "init", type: "string", default: DEFAULTS.init, valid: oneOf(INITS) },
      { name: "batch", type: "int", default: DEFAULTS.batch, valid: oneOf(BATCHES) },
      { name: "unit", type: "string", default: "update", valid: oneOf(UNITS) },
      { name: "optimizer", type: "string", default: DEFAULTS.optimizer, valid: (v) => this.optimizers.some((o) => o.id === v) },
      { name: "lr", type: "number", default: DEFAULTS.lr, valid: (v) => v > 0 && v <= 1000 },
      { name: "compare", type: "string", default: DEFAULTS.compare, valid: oneOf(COMPARE) },
      { name: "view", type: "string", default: DEFAULTS.view, valid: oneOf(VIEWS) },
      { name: "step", type: "int", default: 0, valid: (v) => v >= 0 && v <= MAX_STEPS },
      { name: "speed", type: "int", default: DEFAULTS.speed, valid: (v) => SPEEDS.includes(v) },
      { name: "presenter", type: "bool", default: false },
      { name: "scene", type: "string", default: "", always: true, valid: (v) => SCENES.some((s) => s.id === v) },
    ];
  }

  baseState(scene) {
    const found = SCENES.find((s) => s.id === scene);
    return found ? { ...this.url.defaults(), ...found.state, scene: found.id, step: 0 } : this.url.defaults();
  }

  // ----- the runs -----

  runSpecs() {
    const s = this.state;
    const network = {
      dataset: s.dataset,
      noise: s.noise,
      test_share: s.test / 100,
      features: this.features(),
      l2: s.l2,
      l1: s.l1,
      hidden: parseHidden(s.hidden) ?? [],
      activation: s.activation,
      loss: REGRESSION.includes(s.dataset) ? "squared_error" : s.loss,
      init: s.init,
      batch: s.batch,
      unit: s.unit,
    };
    const main = { network, optimizer: s.optimizer, hyperparameters: { lr: s.lr }, seed: 0 };
    if (s.compare === "batches") {
      return [1, 16, 0].map((batch) => ({ ...main, network: { ...network, batch } }));
    }
    if (s.compare === "fixes" && !REGRESSION.includes(s.dataset)) {
      return [main, { ...main, network: { ...network, activation: "relu", loss: "cross_entropy", init: "xavier_he" } }];
    }
    if (s.compare === "inits") return [main, { ...main, network: { ...network, init: "xavier_he" } }];
    return [main];
  }

  /** The chosen features the data offers (x alone when a one-input data set leaves none). */
  features() {
    const chosen = parseFeatures(this.state.features) ?? ["x", "y"];
    if (!ONE_INPUT.includes(this.state.dataset)) return chosen;
    const usable = chosen.filter((f) => ONE_INPUT_FEATURES.includes(f));
    return usable.length ? usable : ["x"];
  }

  labels() {
    const labels = this.ownLabels();
    return this.room ? this.room.labelRuns(labels) : labels; // a class race's runners wear their names
  }

  ownLabels() {
    const s = this.state;
    const optimizer = this.optimizers.find((o) => o.id === s.optimizer);
    const name = optimizer ? shortName(optimizer) : s.optimizer;
    const main = t("net.runner.main", { optimizer: name, lr: num(s.lr, 3) });
    if (s.compare === "batches") return [1, 16, 0].map((b) => t(`net.runner.batch_${b}`));
    if (s.compare === "fixes" && !REGRESSION.includes(s.dataset)) return [main, t("net.runner.fix")];
    if (s.compare === "inits") return [main, t("net.runner.init_fix")];
    return [main];
  }

  startRace(targetStep = 0) {
    this.state.step = targetStep;
    this.data = null;
    this.session.start(this.runSpecs(), { maxSteps: Math.min(this.state.limit ?? MAX_STEPS, MAX_STEPS), targetStep });
    this.syncControls();
    showScene(this.state.scene, document.getElementById("caption"));
    this.writeUrl();
  }

  started(message) {
    this.data = message.data;
    this.sizes = message.sizes;
    this.ensureBoundaryDivs(message.runs.length);
  }

  // ----- controls -----

  buildControls() {
    renderSceneList(document.getElementById("scene-list"), SCENES, (id) => this.applyScene(id));
    const fill = (id, values, key) => fillSelect(document.getElementById(id), values.map((v) => [String(v), t(`${key}.${v}`)]), "");
    fill("net-dataset", DATASETS, "net.dataset");
    fill("net-activation", ACTIVATIONS, "net.activation");
    fill("net-loss", LOSSES, "net.loss");
    fill("net-init", INITS, "net.init");
    fill("net-batch", BATCHES, "net.batch");
    fill("net-unit", UNITS, "net.unit");
    fill("net-compare", COMPARE, "net.compare");
    for (const id of ["net-l2", "net-l1"]) fillSelect(document.getElementById(id), PENALTIES.map((v) => [String(v), num(v, 2)]), "");
    fillSelect(document.getElementById("net-noise"), NOISES.map((v) => [String(v), num(v, 2)]), "");
    fillSelect(document.getElementById("net-test"), TEST_SHARES.map((v) => [String(v), t("net.percent", { n: v })]), "");
    fillSelect(document.getElementById("net-optimizer"), this.optimizers.map((o) => [o.id, o.name]), this.state.optimizer);
    const bind = (id, name, parse = (v) => v) => {
      document.getElementById(id).addEventListener("change", (event) => this.change(name, parse(event.target.value)));
    };
    bind("net-dataset", "dataset");
    bind("net-activation", "activation");
    bind("net-loss", "loss");
    bind("net-init", "init");
    bind("net-batch", "batch", Number);
    bind("net-unit", "unit");
    bind("net-compare", "compare");
    bind("net-noise", "noise", Number);
    bind("net-l2", "l2", Number);
    bind("net-l1", "l1", Number);
    bind("net-test", "test", Number);
    for (const [id, name] of [["net-show-test", "showtest"], ["net-discrete", "discrete"]]) {
      document.getElementById(id).addEventListener("change", (event) => {
        this.state[name] = event.target.checked; // only the drawing changes: the runs go on
        this.writeUrl();
        this.render();
      });
    }
    bind("net-optimizer", "optimizer");
    document.getElementById("net-lr").addEventListener("change", (event) => {
      const lr = Number(event.target.value);
      if (lr > 0 && lr <= 1000) this.change("lr", lr);
      else event.target.value = String(this.state.lr);
    });
    for (const radio of document.querySelectorAll('input[name="net-view"]')) {
      radio.addEventListener("change", () => {
        this.state.view = radio.value;
        this.writeUrl();
        this.render();
      });
    }
    document.getElementById("diagram").addEventListener("click", (event) => {
      const unit = event.target.dataset?.unit;
      if (unit !== undefined) {
        this.chainUnit = Number(unit);
        this.render();
      }
    });
    for (const box of document.querySelectorAll('input[name="net-feature"]')) {
      box.addEventListener("change", () => {
        const chosen = [...document.querySelectorAll('input[name="net-feature"]:checked')].map((b) => b.value);
        if (!chosen.length) {
          showToast(t("net.bad_features"), { error: true });
          box.checked = true;
          return;
        }
        this.change("features", chosen.join(","));
      });
    }
    document.getElementById("net-hidden").addEventListener("change", (event) => {
      if (parseHidden(event.target.value) === null) {
        showToast(t("net.bad_hidden"), { error: true });
        event.target.value = this.state.hidden;
      } else {
        this.change("hidden", event.target.value.replace(/\s+/g, ""));
      }
    });
  }

  syncControls() {
    const s = this.state;
    const set = (id, value) => {
      const el = document.getElementById(id);
      if (document.activeElement !== el) el.value = String(value);
    };
    set("net-dataset", s.dataset);
    set("net-hidden", s.hidden);
    set("net-activation", s.activation);
    set("net-loss", REGRESSION.includes(s.dataset) ? "squared_error" : s.loss);
    set("net-init", s.init);
    set("net-batch", s.batch);
    set("net-unit", s.unit);
    set("net-optimizer", s.optimizer);
    set("net-lr", s.lr);
    set("net-compare", s.compare);
    set("net-noise", s.noise);
    set("net-l2", s.l2);
    set("net-l1", s.l1);
    set("net-test", s.test);
    document.getElementById("net-show-test").checked = s.showtest;
    document.getElementById("net-discrete").checked = s.discrete;
    document.getElementById("net-loss").disabled = REGRESSION.includes(s.dataset);
    const oneInput = ONE_INPUT.includes(s.dataset);
    const used = this.features();
    for (const box of document.querySelectorAll('input[name="net-feature"]')) {
      box.checked = used.includes(box.value);
      box.disabled = oneInput && !ONE_INPUT_FEATURES.includes(box.value);
    }
    document.getElementById("net-features-hint").textContent = t(oneInput ? "net.features_one_input" : "net.features_hint");
    for (const radio of document.querySelectorAll('input[name="net-view"]')) radio.checked = radio.value === s.view;
  }

  change(name, value) {
    this.state[name] = value;
    this.state.scene = "";
    this.startRace();
  }

  applyScene(id) {
    this.state = { ...this.baseState(id), presenter: this.state.presenter };
    this.transport.speed = this.state.speed;
    this.transport.select.value = String(this.state.speed);
    this.startRace();
  }

  goToScene(offset) {
    const next = neighbour("network", this.state.scene, offset);
    if (!next) return this.sceneNav.atEnd(this.state.scene, offset);
    if (next.page === "network") this.applyScene(next.scene);
    else window.location.assign(sceneUrl(next, { presenter: this.state.presenter }));
  }

  wireKeys() {
    const chrome = wireChrome({
      onPresenter: (on) => {
        this.state.presenter = on;
        this.writeUrl();
        this.render();
      },
    });
    bindPageKeys({
      transport: this.transport,
      timeline: this.timeline,
      presenter: chrome.presenter,
      goToScene: (offset) => this.goToScene(offset),
    });
  }

  writeUrl() {
    this.url.write(this.state, this.baseState(this.state.scene));
  }

  // ----- drawing -----

  ensureBoundaryDivs(count) {
    const box = document.getElementById("boundaries");
    if (box.children.length === count) return;
    box.replaceChildren(
      ...Array.from({ length: count }, (_, i) => Object.assign(document.createElement("div"), { className: "plot boundary", id: `boundary-${i}` })),
    );
    box.dataset.count = String(count);
    keepSized(...box.children);
  }

  /** The newest picture at or before the cursor (pictures travel with the newest frame of each tick). */
  pictureOf(run) {
    const history = this.session.histories[run] ?? [];
    for (let step = Math.min(this.session.cursor, history.length - 1); step >= 0; step -= 1) {
      if (history[step]?.picture) return history[step].picture;
    }
    return null;
  }

  render() {
    this.transport.render();
    this.timeline.render();
    this.sceneNav.render(this.state.scene);
    const session = this.session;
    const labels = this.labels();
    this.renderClock(labels);
    for (const view of VIEWS) document.getElementById(`view-${view}`).hidden = view !== this.state.view;
    if (this.state.view === "training") this.renderTraining(labels);
    else if (this.state.view === "landscape") this.renderLandscape();
    else this.renderNeuron();
    if (this.state.view === "neuron") {
      this.renderNeuronPanel();
      return;
    }
    document.getElementById("loss-title").textContent = t("net.loss_chart");
    drawLosses(document.getElementById("net-loss-plot"), session.histories, session.cursor);
    const layers = drawGradients(document.getElementById("net-grad-plot"), session.histories[0] ?? [], session.cursor);
    this.renderGradTitle(labels[0] ?? "", layers);
    this.renderScoreboard(labels);
    this.renderStatuses(labels);
  }

  /** The gradient chart's title with its legend: each layer's number in its line's colour, input side first. */
  renderGradTitle(runner, layers) {
    const signature = `${runner}/${layers}`;
    if (signature === this.shownGradTitle) return;
    this.shownGradTitle = signature;
    const title = document.getElementById("grad-title");
    title.replaceChildren(t("net.grad_title", { runner }));
    if (layers < 2) return;
    const legend = Object.assign(document.createElement("span"), { className: "layer-legend" });
    legend.append(t("net.chart.layer_legend"));
    for (let k = 0; k < layers; k += 1) {
      const key = Object.assign(document.createElement("span"), { className: "layer-key", textContent: String(k + 1) });
      const fill = layerColour(k, layers);
      key.style.setProperty("--layer-colour", fill);
      if (LIGHT_LAYERS.includes(fill)) key.classList.add("light"); // dark digits on the two light greens
      legend.append(key);
    }
    title.append(legend);
  }

  /** The header counts steps exactly as the transport does (the cursor); updates and epochs are its note. */
  renderClock(labels) {
    const cursor = this.session.cursor;
    document.getElementById("stage-step").textContent = t("stage.step", { n: cursor });
    const frame = this.session.current(0);
    const sub = document.getElementById("stage-sub");
    if (!frame || this.state.view === "neuron") {
      sub.textContent = "";
      return;
    }
    const note = { updates: frame.updates, epoch: num(frame.epoch, 3), runner: labels[0] ?? "", n: frame.step };
    sub.textContent = t(frame.step < cursor ? "net.step_note_stopped" : "net.step_note", note);
  }
  renderTraining(labels) {
    if (this.data) {
      [...document.getElementById("boundaries").children].forEach((div, run) => {
        const options = { showTest: this.state.showtest, discrete: this.state.discrete };
        // A class race's names are text, never Plotly markup: "<b>Bo</b>" is shown as typed.
        drawBoundary(div, this.data, this.pictureOf(run), run, plotText(labels[run] ?? ""), options);
      });
      const note = document.getElementById("boundary-note");
      note.hidden = !(this.data.task === "regression" && this.data.train.x[0]?.length === 2);
      note.textContent = note.hidden ? "" : t("net.regression_note");
    }
    const picture = this.pictureOf(0);
    document.getElementById("diagram-title").textContent = t("net.diagram_title", { runner: labels[0] ?? "" });
    const pictured = picture?.units ? ` ${t("net.units_note")}` : "";
    document.getElementById("diagram").setAttribute("aria-label", `${t("net.diagram")}.${pictured}`);
    drawDiagram(document.getElementById("diagram"), picture?.weights, picture?.units, this.features().map((f) => t(`net.feature.${f}`)));
    this.renderChain(picture?.chain);
  }

  /** dC/dw of one output weight as the product of its chain-rule factors, beside a finite difference. */
  renderChain(chain) {
    const box = document.getElementById("chain");
    const link = chain?.links?.[Math.min(this.chainUnit, (chain?.links?.length ?? 1) - 1)];
    box.hidden = !link;
    if (!link) return;
    const crossEntropy = this.state.loss === "cross_entropy" && !REGRESSION.includes(this.state.dataset);
    const values = {
      unit: Math.min(this.chainUnit, chain.links.length - 1) + 1,
      x: chain.example.map((v) => num(v, 3)).join(", "),
      y: num(chain.target, 3),
      out: num(link.output, 4),
      a: num(link.d_loss_d_output, 4),
      b: num(link.d_output_d_z, 4),
      c: num(link.d_z_d_w, 4),
      error: num(link.output - chain.target, 4),
      product: num(link.product, 6),
      fd: num(link.finite_difference, 6),
    };
    const defined = [link.output, link.d_loss_d_output, link.d_output_d_z, link.d_z_d_w, link.product].every(
      (v) => v !== null && v !== undefined,
    );
    let key = crossEntropy ? "net.chain_ce" : "net.chain";
    if (link.output === null || link.d_z_d_w === null || link.product === null) key = "net.chain_undefined";
    else if (!defined) key = "net.chain_ce_saturated"; // y-hat is exactly 0 or 1: dC/dy-hat divides by zero
    box.textContent = t("text.sentences2", { a: t(key, values), b: t("net.chain_pick") });
  }

  /** Fetched for the step shown whenever playback is paused there; a new step asks again. */
  renderLandscape() {
    const note = document.getElementById("landscape-note");
    const step = this.session.cursor;
    if (this.session.playing) {
      note.textContent = t("net.landscape.note", { n: this.landscapeStep ?? 0, points: 41 * 41 + 31 * 31 });
      return;
    }
    const key = JSON.stringify([this.runSpecs()[0], step]);
    if (key === this.landscapeKey) return;
    this.landscapeKey = key;
    note.textContent = t("net.landscape.loading", { n: step });
    fetchLandscape(this.runSpecs()[0], step)
      .then((result) => {
        if (key !== this.landscapeKey) return;
        this.landscapeStep = step;
        drawLandscape(document.getElementById("landscape-around"), document.getElementById("landscape-plane"), result);
        const far = Math.max(...result.distance);
        document.getElementById("landscape-plane-title").textContent = t("net.landscape.path", { far: num(far, 3) });
        note.textContent = t("net.landscape.note", { n: step, points: 41 * 41 + 31 * 31 });
      })
      .catch((error) => showToast(error.message, { error: true }));
  }

  renderNeuron() {
    if (!this.neuron) {
      this.neuron = fetchNeuron(MAX_STEPS).then((result) => (this.neuron = result));
      this.neuron.then(() => this.render()).catch((error) => showToast(error.message, { error: true }));
      return;
    }
    if (this.neuron instanceof Promise) return;
    const titles = drawNeuron([document.getElementById("neuron-squared"), document.getElementById("neuron-cross")], this.neuron, this.session.cursor);
    document.getElementById("neuron-squared-title").textContent = titles[0];
    document.getElementById("neuron-cross-title").textContent = titles[1];
  }

  /** In the neuron view the panel shows the neuron's two runs: their loss, output and slope, step by step. */
  renderNeuronPanel() {
    const result = this.neuron instanceof Promise ? null : this.neuron;
    const losses = ["squared_error", "cross_entropy"];
    const last = result ? result.losses.squared_error.length - 1 : 0;
    const step = Math.min(this.session.cursor, last);
    const names = losses.map((loss) => t(`net.loss.${loss}`));
    const head = ["net.col.neuron_loss", "net.col.loss", "net.col.output", "net.col.slope"];
    const rows = losses.map((loss, k) =>
      result
        ? [names[k], num(result.losses[loss][step], 4), num(result.outputs[loss][step], 3), num(result.gradients[loss][step][0], 3)]
        : [names[k], "", "", ""],
    );
    this.fillTable(head, rows, null);
    document.getElementById("status-list").replaceChildren();
    this.shownStatuses = null;
    document.getElementById("loss-title").textContent = t("net.neuron.loss_chart");
    document.getElementById("grad-title").textContent = t("net.neuron.slope_chart");
    this.shownGradTitle = null;
    if (!result) return;
    const x = Array.from({ length: step + 1 }, (_, i) => i);
    const series = (pick) => losses.map((loss, k) => ({ x, y: pick(loss).slice(0, step + 1), colour: colour(k) }));
    drawSeries(document.getElementById("net-loss-plot"), series((loss) => result.losses[loss]), t("plot.loss.y"), "");
    drawSeries(
      document.getElementById("net-grad-plot"),
      series((loss) => result.gradients[loss].map((g) => Math.abs(g[0]))),
      "|∂C/∂w|",
      t("net.chart.zero_gradient"),
    );
  }

  renderScoreboard(labels) {
    const head = ["net.col.runner", "net.col.loss", "net.col.accuracy", "net.col.saturated"];
    const rows = this.session.histories.map((_, run) => {
      const f = this.session.current(run);
      const tested = f?.test_accuracy === null || f?.test_accuracy === undefined ? "" : ` (${num(100 * f.test_accuracy, 3)}%)`;
      const accuracy = f?.accuracy === null || f?.accuracy === undefined ? "—" : `${num(100 * f.accuracy, 3)}%${tested}`;
      return [labels[run] ?? "", f ? num(f.loss, 4) : "", f ? accuracy : "", f ? `${num(100 * f.saturated, 2)}%` : ""];
    });
    this.fillTable(head, rows, t("net.saturated_hint"));
  }

  /** The panel's table: a head row of catalogue keys, then one row per runner with its colour swatch. */
  fillTable(head, rows, lastHint) {
    const table = document.getElementById("net-scoreboard");
    const signature = JSON.stringify([head, rows]);
    if (signature === this.shownScores) return;
    this.shownScores = signature;
    const cell = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
    const headRow = document.createElement("tr");
    head.forEach((key) => headRow.append(cell("th", t(key))));
    if (lastHint) headRow.lastChild.title = lastHint;
    table.replaceChildren(document.createElement("thead"), document.createElement("tbody"));
    table.tHead.append(headRow);
    rows.forEach((row, run) => {
      const tr = document.createElement("tr");
      row.forEach((text, i) => {
        const td = cell("td", text);
        if (i === 0) {
          td.className = "who";
          const swatch = Object.assign(document.createElement("span"), { className: "swatch" });
          swatch.style.background = colour(run);
          td.prepend(swatch);
        }
        tr.append(td);
      });
      table.tBodies[0].append(tr);
    });
  }

  renderStatuses(labels) {
    // The endings that need words: a blow-up, a stall, a real convergence (running out of steps needs none).
    const told = ["diverged", "stalled", "converged"];
    const items = this.session.statuses.map((s, i) => ({ ...s, i })).filter((s) => told.includes(s.status));
    const list = document.getElementById("status-list");
    const signature = JSON.stringify(items);
    if (signature === this.shownStatuses) return;
    this.shownStatuses = signature;
    list.replaceChildren(
      ...items.map(({ status, message, i }) => {
        const box = Object.assign(document.createElement("div"), { className: `status ${status}` });
        box.style.setProperty("--run-colour", colour(i));
        box.append(
          Object.assign(document.createElement("strong"), { textContent: t(`net.status.${status}`, { run: labels[i] ?? "" }) }),
          Object.assign(document.createElement("p"), { textContent: message }),
        );
        return box;
      }),
    );
  }
}

const page = new NetworkPage();
await page.boot();
