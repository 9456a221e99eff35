// What the 1D and 2D pages share: the URL state, the catalogue-built sidebar (function, runners,
// start, scenes), the transport and keys, and the live session. A page supplies its views and scenes.
import { fetchFormula, fetchFunctions, fetchOptimizers, fetchSchedules } from "./api.js";
import { isPresenter, setPresenter, showConnection, showToast, wireChrome } from "./chrome.js";
import { fillSelect } from "./controls.js";
import { installExportMenu } from "./export.js";
import { bindPageKeys } from "./keys.js";
import { neighbour, sceneUrl } from "./lecture.js";
import { t } from "./messages.js";
import { colour } from "./palette.js";
import { RunsEditor } from "./runs-editor.js";
import { runsCodec } from "./runs-codec.js";
import { normaliseRun, runLabels, runSettings, setScheduleDefaults } from "./run-text.js";
import { installRoom } from "./room.js";
import { renderSceneList, showScene } from "./scene-list.js";
import { SceneNav } from "./scene-nav.js";
import { Session } from "./session.js";
import { UrlState } from "./state.js";
import { Timeline } from "./timeline.js";
import { SPEEDS, Transport } from "./transport.js";

const MAX_RUNS = 8;
const MAX_STEPS = 20000;
const MAX_FORMULA = 200;
const MIN_BUDGET = 10; // the server's smallest evaluation budget (app/runs/evaluation_budget.py)
const CUSTOM = "__custom__"; // the function picker's entry for a typed formula

export class RacePage {
  /**
   * page: "1d" | "2d"; dim: 1 | 2; scenes: [{id, state}]; views: {setFunction(info), setLabels(labels),
   * render(session), relayout()}; viewProperties: URL properties of the page's own view settings.
   */
  constructor({ page, dim, scenes, views, viewProperties, defaults, statusKinds = ["converged", "stalled", "diverged", "max_steps"] }) {
    this.statusKinds = statusKinds;
    this.page = page;
    this.dim = dim;
    this.scenes = scenes;
    this.views = views;
    this.viewProperties = viewProperties;
    this.pageDefaults = defaults;
  }

  // ----- start-up -----

  async boot() {
    let functions;
    try {
      [functions, this.optimizers, this.schedules] = await Promise.all([fetchFunctions(), fetchOptimizers(), fetchSchedules()]);
    } catch (error) {
      showToast(t("error.catalogue", { detail: error.message }), { error: true, ms: 60000 });
      return;
    }
    this.functions = functions.filter((f) => f.dim === this.dim);
    this.optimizerById = new Map(this.optimizers.map((o) => [o.id, o]));
    this.scheduleByKind = new Map(this.schedules.map((s) => [s.kind, s]));
    setScheduleDefaults(this.schedules);
    this.url = new UrlState([...this.commonProperties(), ...this.viewProperties]);
    this.state = this.initialState();
    setPresenter(this.state.presenter);
    if (this.state.expr) {
      try {
        this.custom = await this.formulaInfo(this.state.expr);
      } catch (error) {
        showToast(error.message, { error: true, ms: 15000 });
        this.state.expr = "";
      }
    }

    this.session = new Session({
      onRender: () => this.render(),
      onStarted: (message, meta) => this.started(message, meta),
      onCursor: (step) => {
        this.state.step = step;
        this.writeUrl();
      },
      onError: (text) => showToast(text, { error: true }),
      onNotice: (text) => showToast(text, { ms: 8000 }),
      onConnection: showConnection,
    });
    this.buildSidebar();
    this.transport = new Transport({
      session: this.session,
      speed: this.state.speed,
      onSpeed: (speed) => {
        this.state.speed = speed;
        this.writeUrl();
      },
    });
    this.timeline = new Timeline(document.getElementById("timeline"), {
      session: this.session,
      labels: () => this.labels(),
      optimizer: (id) => this.optimizerById.get(id),
    });
    this.sceneNav = new SceneNav({ page: this.page, goToScene: (offset) => this.goToScene(offset) });
    this.wireKeys();
    installExportMenu(this);
    this.room = installRoom(this); // "Share live", or following a lecture (lib/room.js)
    await this.views.setFunction(this.functionInfo(), this.state);
    this.session.connect();
    if (!this.room.follows) this.startRace({ targetStep: this.state.step });
    window.hillside = this; // for the browser tests and the curious: the page's state and session
  }

  commonProperties() {
    return [
      {
        name: "fn",
        type: "string",
        default: () => this.pageDefaults.fn,
        valid: (v) => this.functions.some((f) => f.id === v),
      },
      {
        name: "runs",
        codec: runsCodec(this.optimizers, { maxRuns: MAX_RUNS, dim: () => this.dim, schedules: this.scheduleByKind }),
        default: () => this.pageDefaults.runs,
      },
      {
        name: "start",
        type: "numbers",
        default: null,
        valid: (v) => v.length === this.dim && v.every((x) => Math.abs(x) <= 1e6),
      },
      { name: "step", type: "int", default: 0, valid: (v) => v >= 0 && v <= MAX_STEPS },
      { name: "limit", type: "int", default: 1000, valid: (v) => v >= 1 && v <= MAX_STEPS },
      // A fair race: every runner may spend `budget` evaluations (f, ∇f and H, one each) instead of `limit` steps.
      { name: "fair", type: "bool", default: false },
      { name: "budget", type: "int", default: 60, valid: (v) => v >= MIN_BUDGET && v <= MAX_STEPS },
      { name: "speed", type: "int", default: this.pageDefaults.speed ?? 10, valid: (v) => SPEEDS.includes(v) },
      { name: "presenter", type: "bool", default: false },
      { name: "expr", type: "string", default: "", valid: (v) => v.length <= MAX_FORMULA },
      { name: "scene", type: "string", default: "", always: true, valid: (v) => this.scenes.some((s) => s.id === v) },
    ];
  }

  /**
   * State from the URL. A link naming a scene starts from that scene's settings, and the other
   * parameters say what differs from it; a bare address opens the page's first scene.
   */
  initialState() {
    const params = new URLSearchParams(window.location.search);
    let scene = params.get("scene");
    if (!this.scenes.some((s) => s.id === scene)) scene = null;
    if (![...params.keys()].some((k) => k !== "presenter")) scene = this.scenes[0].id;
    return this.url.read(window.location.search, this.baseState(scene));
  }

  /** What a URL's parameters are relative to: the scene's settings, or the page defaults. */
  baseState(scene) {
    return scene ? this.sceneState(scene, false) : this.url.defaults();
  }

  sceneState(id, presenter) {
    const scene = this.scenes.find((s) => s.id === id);
    const state = structuredClone({ ...this.url.defaults(), ...scene.state, scene: id, step: 0, presenter });
    // A scene names optimizers by id; keep the runs this server offers (all of them, normally).
    state.runs = state.runs.filter((run) => this.optimizerById.has(run.optimizer));
    if (!state.runs.length) state.runs = structuredClone(this.pageDefaults.runs);
    state.runs = state.runs.map((run) => this.normalise(run));
    if (state.runs.every((run) => run.start)) state.start = null;
    else state.start ??= this.functions.find((f) => f.id === state.fn)?.start ?? null;
    return state;
  }

  functionInfo() {
    if (this.state.expr && this.custom?.expression === this.state.expr) return this.custom;
    return this.functions.find((f) => f.id === this.state.fn);
  }

  /** A typed formula as a catalogue entry (id "expression"); throws the server's sentence when it is refused. */
  async formulaInfo(text) {
    const found = await fetchFormula(text);
    if (found.dim !== this.dim) throw new Error(t(`formula.wrong_dim_${this.dim}d`));
    return {
      id: "expression",
      expression: text,
      name: found.formula,
      dim: found.dim,
      formula: found.formula,
      mathml: found.mathml,
      derivatives: found.derivatives,
      domain: found.domain,
      start: found.start,
      minima: [],
      description: t("formula.description"),
    };
  }

  // ----- the race -----

  startOf(run) {
    return run.start ?? this.state.start ?? this.functionInfo().start;
  }

  runSpecs() {
    const fn = this.state.expr ? { expression: this.state.expr } : this.state.fn;
    return this.state.runs.map((run) => ({
      function: fn,
      optimizer: run.optimizer,
      hyperparameters: run.hyperparameters,
      start: this.startOf(run),
      seed: 0,
      changes: run.changes ?? [],
      ...(run.schedule ? { schedule: run.schedule } : {}),
      ...(this.state.fair ? { budget: this.state.budget } : {}),
    }));
  }

  /**
   * The step limit sent with the race. In a fair race every run may take as many steps as its budget (a step
   * costs at least one evaluation), so the budget ends it, not the limit (app/scenes/play.py does the same).
   */
  maxSteps() {
    return this.state.fair ? Math.min(MAX_STEPS, Math.max(this.state.limit, this.state.budget)) : this.state.limit;
  }

  startRace({ targetStep = 0 } = {}) {
    this.state.step = targetStep;
    this.views.setLabels(this.labels(), this.families(), this.lrLines());
    this.runsEditor.render(this.state.runs);
    this.syncStartFields();
    this.session.start(this.runSpecs(), { maxSteps: this.maxSteps(), targetStep });
    this.writeUrl();
  }

  /** The server's configs are the truth after start and update: keep the URL in step with them. */
  started(message) {
    const runs = message.runs.map((config) => this.normalise(config));
    const starts = runs.map((r) => JSON.stringify(r.start));
    const shared = starts.every((s) => s === starts[0]);
    this.state.start = shared ? runs[0].start : null;
    for (const run of runs) if (shared) delete run.start;
    this.state.runs = runs;
    this.runsEditor.render(runs);
    this.views.setLabels(this.labels(), this.families(), this.lrLines());
    this.syncStartFields();
    this.writeUrl();
  }

  labels() {
    const labels = runLabels(this.state.runs, this.optimizerById, (run) => this.startOf(run));
    return this.room ? this.room.labelRuns(labels) : labels; // a class race's runners wear their names
  }

  /** Each run's optimizer family ("first_order", "direct_search", ...): what its pictures should show. */
  families() {
    return this.state.runs.map((run) => this.optimizerById.get(run.optimizer).family);
  }

  /** For the learning-rate chart: which runners have a rate to draw, and whether any has a schedule to show. */
  lrLines() {
    const drawn = this.state.runs.map((run) => Boolean(this.optimizerById.get(run.optimizer)?.uses_lr_schedule));
    return { drawn, shown: this.state.runs.some((run, i) => drawn[i] && run.schedule) };
  }

  settings() {
    return runSettings(this.state.runs, this.optimizerById);
  }

  normalise(run) {
    return normaliseRun(run, this.optimizerById.get(run.optimizer), this.scheduleByKind);
  }

  // ----- the sidebar -----

  buildSidebar() {
    this.functionSelect = document.getElementById("function");
    fillSelect(
      this.functionSelect,
      [...this.functions.map((f) => [f.id, f.name]), [CUSTOM, t("controls.custom_formula")]],
      this.state.fn,
    );
    this.functionSelect.addEventListener("change", () => {
      if (this.functionSelect.value === CUSTOM) this.showFormulaForm(true);
      else this.changeFunction(this.functionSelect.value);
    });
    this.formulaForm = document.getElementById("custom-formula");
    this.formulaInput = document.getElementById("expression");
    this.formulaInput.placeholder = t(`controls.expression_placeholder_${this.dim}d`);
    document.getElementById("expression-hint").textContent = t("controls.expression_hint", {
      and_y: this.dim === 2 ? t("controls.expression_and_y") : "",
    });
    this.formulaForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.useFormula(this.formulaInput.value.trim());
    });
    this.showFunction();

    this.runsEditor = new RunsEditor({
      optimizers: this.optimizers,
      schedules: this.schedules,
      maxRuns: MAX_RUNS,
      handlers: {
        // A schedule is part of a run's config (the server's `update` changes hyperparameters only): restart.
        schedule: (i, schedule) => this.editRuns(() => {
          if (schedule) this.state.runs[i].schedule = schedule;
          else delete this.state.runs[i].schedule;
        }),
        optimizer: (i, id) => this.editRuns(() => (this.state.runs[i] = { optimizer: id, hyperparameters: {}, changes: [] })),
        hyperparameter: (i, name, value) => this.changeHyperparameter(i, name, value),
        remove: (i) => this.editRuns(() => this.state.runs.splice(i, 1)),
        add: () => this.editRuns(() => this.state.runs.push(this.newRun())),
      },
    });

    this.startFields = Array.from({ length: this.dim }, (_, k) => document.getElementById(k ? "start-y" : "start-x"));
    for (const field of this.startFields) {
      field.addEventListener("change", () => {
        const start = this.startFields.map((f) => Number(f.value));
        if (start.every(Number.isFinite)) this.moveStart(start);
      });
    }
    this.limitField = document.getElementById("limit");
    this.limitField.addEventListener("change", () => {
      const limit = Number(this.limitField.value);
      if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_STEPS) {
        this.state.limit = limit;
        this.startRace();
      } else {
        this.limitField.value = String(this.state.limit);
      }
    });
    this.buildFairRace();
    this.buildScenes();
  }

  /** The "fair race" toggle and its budget, where the page has them (/2d: its scoreboard ranks the runners). */
  buildFairRace() {
    this.fairBox = document.getElementById("fair");
    this.budgetField = document.getElementById("budget");
    if (!this.fairBox || !this.budgetField) return;
    this.fairBox.addEventListener("change", () => {
      this.state.fair = this.fairBox.checked;
      this.startRace();
    });
    this.budgetField.addEventListener("change", () => {
      const budget = Number(this.budgetField.value);
      if (Number.isInteger(budget) && budget >= MIN_BUDGET && budget <= MAX_STEPS) {
        this.state.budget = budget;
        this.startRace();
      } else {
        this.budgetField.value = String(this.state.budget);
      }
    });
  }

  showFunction() {
    const info = this.functionInfo();
    const custom = Boolean(info.expression);
    this.functionSelect.value = custom ? CUSTOM : info.id;
    this.showFormulaForm(custom);
    if (custom) this.formulaInput.value = info.expression;
    document.getElementById("formula").textContent = t("controls.formula", { formula: info.formula });
    document.getElementById("function-description").textContent = info.description;
    this.showMath(custom ? info : null);
  }

  showFormulaForm(shown) {
    this.formulaForm.hidden = !shown;
    if (shown && !this.state.expr) this.formulaInput.focus();
  }

  /** f and its partial derivatives, typeset by the browser from the server's MathML (no script, no CDN). */
  showMath(info) {
    const box = document.getElementById("formula-math");
    box.hidden = !info;
    if (!info) return box.replaceChildren();
    const line = (label, mathml) => `<div class="math-line"><span class="math-label">${label}</span>`
      + `<math display="inline">${mathml}</math></div>`;
    // The MathML is SymPy's printing of the server-checked tree: only numbers, x, y and allowed names.
    box.innerHTML = [
      line("f =", info.mathml),
      ...info.derivatives.map((d) => line(`${t("formula.derivative", { variable: d.variable })} =`, d.mathml)),
    ].join("");
  }

  async useFormula(text) {
    const error = document.getElementById("expression-error");
    error.hidden = true;
    if (!text) return;
    let info;
    try {
      info = await this.formulaInfo(text);
    } catch (problem) {
      error.textContent = problem.message;
      error.hidden = false;
      error.scrollIntoView({ block: "nearest" });
      return;
    }
    this.custom = info;
    this.state.expr = text;
    await this.changeFunction(this.state.fn);
    document.getElementById("formula-math").scrollIntoView({ block: "nearest" });
  }

  syncStartFields() {
    this.limitField.value = String(this.state.limit);
    if (this.fairBox) {
      this.fairBox.checked = this.state.fair;
      this.budgetField.value = String(this.state.budget);
      this.budgetField.disabled = !this.state.fair;
    }
    const start = this.state.start ?? this.functionInfo().start;
    this.startFields.forEach((field, k) => {
      if (document.activeElement !== field) field.value = String(start[k]);
    });
  }

  buildScenes() {
    renderSceneList(document.getElementById("scene-list"), this.scenes, (id) => this.applyScene(id));
    this.showScene();
  }

  showScene() {
    showScene(this.state.scene, document.getElementById("caption"));
  }

  newRun() {
    const used = new Set(this.state.runs.map((r) => r.optimizer));
    const preferred = ["momentum", "adam", "nesterov", "rmsprop", "newton", "bfgs", "nelder_mead", "gd"];
    const id = preferred.find((p) => !used.has(p) && this.optimizerById.has(p)) ?? this.optimizers[0].id;
    return { optimizer: id, hyperparameters: {}, changes: [] };
  }

  // ----- edits -----

  /** A change to the line-up of runners: restart the race from step 0. */
  editRuns(change) {
    change();
    if (!this.state.runs.length) this.state.runs.push(this.newRun());
    for (const run of this.state.runs) run.changes = [];
    this.state.scene = "";
    this.showScene();
    this.startRace();
  }

  changeHyperparameter(index, name, value) {
    // The server branches the run at the cursor and answers `started` with the change recorded.
    this.session.update({ run: index, hyperparameters: { [name]: value } });
  }

  moveStart(start) {
    this.session.update({ start });
  }

  async changeFunction(id) {
    if (id !== this.state.fn) this.state.expr = "";
    this.state.fn = id;
    this.state.start = null;
    this.state.scene = "";
    for (const run of this.state.runs) {
      delete run.start;
      run.changes = [];
    }
    this.showFunction();
    this.showScene();
    await this.views.setFunction(this.functionInfo(), this.state);
    this.startRace();
  }

  async applyScene(id) {
    const functionChanged = this.sceneState(id, false).fn !== this.state.fn || Boolean(this.state.expr);
    this.state = this.sceneState(id, isPresenter());
    this.transport.speed = this.state.speed;
    this.transport.select.value = String(this.state.speed);
    this.showFunction();
    this.showScene();
    this.views.applyState?.(this.state);
    if (functionChanged) await this.views.setFunction(this.functionInfo(), this.state);
    this.startRace();
  }

  goToScene(offset) {
    const next = neighbour(this.page, this.state.scene, offset);
    if (!next) return this.sceneNav.atEnd(this.state.scene, offset);
    if (next.page === this.page) this.applyScene(next.scene);
    else window.location.assign(sceneUrl(next, { presenter: isPresenter() }));
  }

  /** A page's view setting changed (a checkbox, the view picker). */
  setView(name, value) {
    this.state[name] = value;
    this.writeUrl();
    this.render();
  }

  // ----- keys, URL, drawing -----

  wireKeys() {
    const chrome = wireChrome({
      onPresenter: (on) => {
        this.state.presenter = on;
        this.writeUrl();
        this.views.relayout();
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

  render() {
    this.transport.render();
    this.timeline.render();
    this.sceneNav.render(this.state.scene);
    document.getElementById("stage-step").textContent = t("stage.step", { n: this.session.cursor });
    this.renderStatuses();
    this.views.render(this.session, this.state);
  }

  renderStatuses() {
    const list = document.getElementById("status-list");
    const labels = this.labels();
    const items = this.session.statuses.map((s, i) => ({ ...s, i })).filter((s) => this.statusKinds.includes(s.status));
    const signature = JSON.stringify(items) + labels.join();
    if (signature === this.shownStatuses) return;
    this.shownStatuses = signature;
    list.replaceChildren(
      ...items.map(({ status, message, i }) => {
        const box = document.createElement("div");
        box.className = `status ${status}`;
        box.style.setProperty("--run-colour", colour(i));
        const head = document.createElement("strong");
        head.textContent = t(`status.${status}`, { run: labels[i] });
        const text = document.createElement("p");
        text.textContent = message;
        box.append(head, text);
        return box;
      }),
    );
  }
}
