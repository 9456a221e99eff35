// The learning rate against step, one line per first-order runner in its colour, drawn up to the cursor like
// the loss chart above it (so the two stay in step). The values are the frames' `lr`: what the server used.
// Shown only while some runner has a schedule: a flat line for everyone says nothing.
import { t } from "./messages.js";
import { colour, dash } from "./palette.js";
import { keepSizedThen } from "./resize.js";
import { axis, baseLayout, labelHeight, PLOT_CONFIG, theme, titleAbove } from "./theme.js";
import { columns, TrailTracker } from "./trails.js";

export class LrChart {
  constructor(div) {
    this.div = div;
    this.tracker = new TrailTracker();
    this.labels = [];
    this.drawn = []; // drawn[run]: whether the runner has a learning rate to draw
    // A chart that changes height needs as many y labels as its new height holds.
    keepSizedThen(() => this.div.data && Plotly.relayout(this.div, { "yaxis.nticks": this.nticks() }), div);
  }

  /** Which runners get a line (first-order ones), and whether the chart is shown at all. */
  setRuns(labels, drawn, shown) {
    this.labels = labels;
    this.drawn = drawn;
    this.div.hidden = !shown;
    this.tracker.invalidate();
  }

  /** Step 0 has no step behind it, so no learning rate: each line starts at step 1. */
  point(frame, run) {
    const lr = this.drawn[run] && frame.step > 0 ? frame.lr : null;
    return { x: frame.step, y: lr ?? null };
  }

  traces(trails) {
    const th = theme();
    return trails.map((frames, run) => {
      const points = frames.filter(Boolean).map((f) => this.point(f, run)).filter((p) => p.y !== null);
      return {
        type: "scatter",
        mode: "lines",
        name: this.labels[run] ?? String(run + 1),
        x: points.map((p) => p.x),
        y: points.map((p) => p.y),
        line: { color: colour(run), width: th.line, dash: dash(run), shape: "vh" },
        hovertemplate: `%{x}: %{y:.4g}<extra>${this.labels[run] ?? ""}</extra>`,
      };
    });
  }

  /**
   * The x axis is the loss chart's steps, right above: no title of its own, to leave the short chart room for
   * its lines. As many y labels as fit its height, a label's height and a half apart (at least two).
   */
  layout() {
    const th = theme();
    const nticks = this.nticks();
    return baseLayout(th, {
      xaxis: axis(th, { rangemode: "tozero" }),
      yaxis: axis(th, { title: { text: "" }, rangemode: "tozero", exponentformat: "power", nticks }),
      margin: { l: th.font * 4.6, r: th.font, t: th.font * 1.7, b: th.font * 1.9 },
      annotations: [titleAbove(th, t("plot.lr.y"))],
    });
  }

  nticks() {
    const th = theme();
    return Math.max(2, Math.floor((this.div.clientHeight - th.font * 3.6) / labelHeight(th)));
  }

  render(session) {
    if (this.div.hidden) return;
    const plan = this.tracker.plan(session);
    if (plan.full || !this.div.data) {
      Plotly.react(this.div, this.traces(plan.trails), this.layout(), PLOT_CONFIG);
    } else {
      const fresh = plan.fresh.map((frames, run) => frames.filter((f) => f && this.point(f, run).y !== null));
      const update = columns(fresh, ["x", "y"], (f, run) => this.point(f, run));
      if (update.x.some((xs) => xs.length)) Plotly.extendTraces(this.div, update, fresh.map((_, i) => i));
    }
    this.tracker.commit(session, plan.trails);
  }

  restyle() {
    this.tracker.invalidate();
  }
}
