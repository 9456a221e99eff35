// /2d: the gradient is the steepest way up, so walkers go against it; optimizers race on a contour map
// or a 3D surface; fog shows only what a walker can know; click the map to start somewhere else.
import { fetchSurface } from "./lib/api.js";
import { LossChart } from "./lib/loss-chart.js";
import { LrChart } from "./lib/lr-chart.js";
import { t } from "./lib/messages.js";
import { RacePage } from "./lib/race-page.js";
import { keepSized } from "./lib/resize.js";
import { ContourView } from "./twod/contour.js";
import { Heights } from "./twod/heights.js";
import { DEFAULTS, SCENES } from "./twod/scenes.js";
import { Scoreboard } from "./twod/scoreboard.js";
import { SurfaceView } from "./twod/surface3d.js";

const RESOLUTION = 120;
const VIEWS = ["contour", "surface"];

class TwoDViews {
  constructor() {
    this.landscape = document.getElementById("landscape");
    this.contour = new ContourView(document.getElementById("contour-base"), document.getElementById("contour-overlay"), {
      onPick: (point) => page.moveStart(point),
    });
    this.surface = new SurfaceView(document.getElementById("surface-plot"));
    this.loss = new LossChart(document.getElementById("loss-plot"), document.getElementById("loss-note"));
    this.lr = new LrChart(document.getElementById("lr-plot"));
    this.scoreboard = new Scoreboard(document.getElementById("scoreboard"));
    this.fairNote = document.getElementById("fair-note");
    this.labels = [];
    keepSized(this.contour.base, this.contour.overlay, this.surface.div); // the loss chart sizes itself
  }

  async setFunction(info) {
    this.loss.setFunction(info);
    this.info = info;
    const surface = await fetchSurface(info, RESOLUTION);
    if (this.info !== info) return;
    const heights = new Heights(surface);
    this.contour.setSurface(info, surface, heights);
    this.surface.setSurface(info, surface, heights);
  }

  setLabels(labels, families, lrLines) {
    this.labels = labels;
    this.lr.setRuns(labels, lrLines.drawn, lrLines.shown);
    this.lrShown = lrLines.shown;
    this.contour.setLabels(labels, families);
    this.surface.setLabels(labels);
    this.loss.setLabels(labels);
  }

  applyState(state) {
    for (const radio of document.querySelectorAll('input[name="view"]')) radio.checked = radio.value === state.view;
    document.getElementById("show-fog").checked = state.fog;
    document.getElementById("show-arrows").checked = state.arrows;
    this.landscape.dataset.view = state.view;
    this.surface.div.hidden = state.view !== "surface";
  }

  render(session, state) {
    this.applyState(state);
    if (state.view === "surface") this.surface.render(session, state);
    else this.contour.render(session, state);
    this.loss.render(session);
    this.lr.render(session);
    const offMap = (run) => {
      const params = session.current(run)?.params;
      return Boolean(params && this.contour.xRange && !this.contour.inside(params));
    };
    const fair = state.fair ? state.budget : null;
    this.scoreboard.render(session, this.labels, page.settings(), offMap, { fair, lr: this.lrShown });
    this.fairNote.hidden = fair === null;
    if (fair !== null) this.fairNote.textContent = t("scoreboard.fair_note", { budget: fair });
  }

  relayout() {
    this.contour.relayout();
    this.loss.restyle();
    this.lr.restyle();
    page.render();
  }
}

const views = new TwoDViews();
const page = new RacePage({
  page: "2d",
  dim: 2,
  scenes: SCENES,
  views,
  defaults: DEFAULTS,
  statusKinds: ["stalled", "diverged"], // the scoreboard says who converged; a stall or a divergence needs its why
  viewProperties: [
    { name: "view", type: "string", default: "contour", valid: (v) => VIEWS.includes(v) },
    { name: "fog", type: "bool", default: false },
    { name: "arrows", type: "bool", default: true },
  ],
});

await page.boot();
if (page.state) {
  views.applyState(page.state);
  for (const radio of document.querySelectorAll('input[name="view"]')) {
    radio.addEventListener("change", () => page.setView("view", radio.value));
  }
  document.getElementById("show-fog").addEventListener("change", (e) => page.setView("fog", e.target.checked));
  document.getElementById("show-arrows").addEventListener("change", (e) => page.setView("arrows", e.target.checked));
}
