// /1d: the derivative is the slope of the tangent; a step is −lr·f′(x); the classic worked example as a
// table; learning rates side by side; loss against step.
import { LossChart } from "./lib/loss-chart.js";
import { LrChart } from "./lib/lr-chart.js";
import { RacePage } from "./lib/race-page.js";
import { keepSized } from "./lib/resize.js";
import { ContractionList } from "./oned/contraction.js";
import { CurvePlot } from "./oned/curve.js";
import { IterationTable } from "./oned/iterations.js";
import { DEFAULTS, SCENES } from "./oned/scenes.js";

const TOGGLES = { tangent: "show-tangent", arrow: "show-arrow", table: "show-table" };

class OneDViews {
  constructor() {
    this.curve = new CurvePlot(document.getElementById("curve-plot"));
    this.loss = new LossChart(document.getElementById("loss-plot"), document.getElementById("loss-note"));
    this.lr = new LrChart(document.getElementById("lr-plot"));
    this.table = new IterationTable(
      document.getElementById("iterations"),
      document.getElementById("table-scroll"),
      document.getElementById("iterations-hint"),
    );
    this.tableSection = document.getElementById("iterations-section");
    this.contraction = new ContractionList(
      document.getElementById("contraction-section"),
      document.getElementById("contraction"),
    );
    this.labels = [];
    keepSized(this.curve.div); // the loss chart keeps itself sized
  }

  async setFunction(info) {
    this.loss.setFunction(info);
    await this.curve.setFunction(info);
    this.contraction.setFunction(info, this.curve.surface);
  }

  setLabels(labels, families, lrLines) {
    this.labels = labels;
    this.lr.setRuns(labels, lrLines.drawn, lrLines.shown);
    this.curve.setLabels(labels);
    this.loss.setLabels(labels);
  }

  applyState(state) {
    for (const [name, id] of Object.entries(TOGGLES)) document.getElementById(id).checked = state[name];
  }

  render(session, state) {
    this.curve.render(session, state);
    this.loss.render(session);
    this.lr.render(session);
    this.contraction.render(session, this.labels, () => page.render());
    this.tableSection.hidden = !state.table;
    if (state.table) this.table.render(session, this.labels);
  }

  relayout() {
    this.loss.restyle();
    this.lr.restyle();
    page.render();
  }
}

const views = new OneDViews();
const page = new RacePage({
  page: "1d",
  dim: 1,
  scenes: SCENES,
  views,
  defaults: DEFAULTS,
  viewProperties: Object.keys(TOGGLES).map((name) => ({ name, type: "bool", default: true })),
});

await page.boot();
if (page.state) {
  views.applyState(page.state);
  for (const [name, id] of Object.entries(TOGGLES)) {
    document.getElementById(id).addEventListener("change", (event) => page.setView(name, event.target.checked));
  }
}
