// Loss against step, one line per run. A log axis shows the late, slow progress, but log needs
// positive numbers: when the function's lowest value is known we plot loss − minimum; when it is not
// and the loss goes to zero or below, we switch to a linear axis and say so under the chart.
import { num } from "./format.js";
import { t } from "./messages.js";
import { colour, dash } from "./palette.js";
import { axis, baseLayout, labelHeight, PLOT_CONFIG, theme, titleAbove } from "./theme.js";
import { keepSizedThen } from "./resize.js";
import { columns, TrailTracker } from "./trails.js";

const FLOOR = 1e-16; // reached the minimum to machine precision: keep it on a log axis

/** 1, 2 or 5 times a power of ten, at least `raw`: tick spacing people can add up. */
export function niceStep(raw) {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw * (1 - 1e-9)) * power;
  return Number(step.toPrecision(12));
}

export class LossChart {
  constructor(div, note) {
    this.div = div;
    this.note = note;
    this.tracker = new TrailTracker();
    this.offset = null;
    this.logScale = true;
    this.labels = [];
    this.extent = [Infinity, -Infinity];
    // A chart that changes height (a status appears above it) needs ticks for its new height.
    keepSizedThen(() => this.session && this.tidyTicks(this.session), div);
  }

  /** Call when the function changes: its known global minimum decides what the y axis shows. */
  setFunction(info) {
    const global = (info?.minima ?? []).filter((m) => m.kind === "global").map((m) => m.value);
    this.offset = global.length ? Math.min(...global) : null;
    this.logScale = true;
    this.tracker.invalidate();
  }

  setLabels(labels) {
    this.labels = labels;
    this.tracker.invalidate();
  }

  value(loss) {
    if (loss === null || loss === undefined) return null;
    if (!this.logScale) return loss;
    return this.offset === null ? loss : Math.max(loss - this.offset, FLOOR);
  }

  layout() {
    const th = theme();
    const shifted = this.offset !== null && this.offset !== 0 && this.logScale;
    let title = t("plot.loss.y");
    if (shifted && this.offset > 0) title = t("plot.loss.y_minus_min", { min: num(this.offset, 4) });
    if (shifted && this.offset < 0) title = t("plot.loss.y_plus_min", { min: num(-this.offset, 4) });
    // The y title reads across, above the axis: a short chart has no room for it sideways.
    return baseLayout(th, {
      // standoff: CJK glyphs are taller than Latin ones, and the title must clear the tick labels in every language.
      xaxis: axis(th, { title: { text: t("plot.loss.x"), standoff: th.font * 0.35 }, rangemode: "tozero" }),
      yaxis: axis(th, { title: { text: "" }, type: this.logScale ? "log" : "linear", exponentformat: "power" }),
      margin: { l: th.font * 4.6, r: th.font, t: th.font * 1.7, b: th.font * 3.3 },
      annotations: [titleAbove(th, title)],
    });
  }

  traces(trails) {
    const th = theme();
    return trails.map((frames, run) => {
      const shown = frames.filter(Boolean);
      return {
        type: "scatter",
        mode: "lines",
        name: this.labels[run] ?? String(run + 1),
        x: shown.map((f) => f.step),
        y: shown.map((f) => this.value(f.loss)),
        line: { color: colour(run), width: th.line, dash: dash(run) },
        hovertemplate: `%{x}: %{y:.4g}<extra>${this.labels[run] ?? ""}</extra>`,
      };
    });
  }

  checkScale(trails) {
    if (!this.logScale || this.offset !== null) return;
    const nonPositive = trails.some((frames) => frames.some((f) => f && f.loss !== null && f.loss <= 0));
    if (nonPositive) {
      this.logScale = false;
      this.tracker.invalidate();
    }
  }

  showNote() {
    let key = null;
    if (!this.logScale) key = "plot.loss.note_linear";
    else if (this.offset !== null && this.offset !== 0) key = "plot.loss.note_offset";
    this.note.hidden = key === null;
    if (key) this.note.textContent = t(key, { min: num(this.offset, 4) });
  }

  render(session) {
    this.session = session;
    let plan = this.tracker.plan(session);
    this.checkScale(plan.trails);
    plan = this.tracker.plan(session);
    if (plan.full || !this.div.data) {
      this.tickKey = undefined;
      this.extent = [Infinity, -Infinity];
      this.widen(plan.trails);
      Plotly.react(this.div, this.traces(plan.trails), this.layout(), PLOT_CONFIG);
      this.showNote();
    } else {
      const update = columns(plan.fresh, ["x", "y"], (f) => ({ x: f.step, y: this.value(f.loss) }));
      this.widen(plan.fresh);
      if (update.x.some((xs) => xs.length)) {
        Plotly.extendTraces(this.div, update, plan.fresh.map((_, i) => i));
      }
    }
    this.tidyTicks(session);
    this.tracker.commit(session, plan.trails);
  }

  /**
   * Whole steps only while there are few (Plotly would tick 0.5). On a log axis every label is a full-size
   * number: powers of ten when it spans decades, evenly spaced values when it spans less (Plotly's own
   * choice there is the digits 2…9 in small type, unreadable from the back of a hall).
   */
  tidyTicks(session) {
    const [lo, hi] = this.extent;
    const th = theme();
    const font = th.font;
    const label = labelHeight(th); // a power of ten is taller in some fonts (Chinese ones): spaced by its own
    // Labels that fit the height of the plotting area as drawn (Plotly's own measure, which can lag the
    // div's while it resizes), else the chart less its top and bottom margins.
    const area = this.div._fullLayout?._size?.h ?? this.div.clientHeight - font * 3.6;
    const room = Math.max(3, Math.floor(area / label));
    const y = { "yaxis.dtick": null, "yaxis.tick0": null, "yaxis.nticks": room };
    if (this.logScale && lo > 0 && hi > lo * (1 + 1e-9)) {
      const span = Math.log10(hi / lo); // decades shown
      // A chart too short for three labels (presenter mode, six runners' legend above it) spaces its two a
      // label's height apart, not a third of the height (which made them overlap).
      const short = Math.floor(area / label) < 3;
      const decades = short
        ? Math.ceil((span * label) / Math.max(1, area))
        : Math.ceil(span / Math.max(1, room - 1));
      if (span >= 1.5) Object.assign(y, { "yaxis.dtick": Math.max(1, decades), "yaxis.tick0": 0 });
      else Object.assign(y, { "yaxis.dtick": `L${niceStep((hi - lo) / (room - 1))}`, "yaxis.tick0": 0 });
    } else if (this.logScale && lo > 0 && hi >= lo) {
      // One value so far (step 0): Plotly spans about two decades around it; label only their powers of ten.
      Object.assign(y, { "yaxis.dtick": 1, "yaxis.tick0": 0 });
    }
    const key = `${session.cursor <= 8}|${JSON.stringify(y)}|${Math.round(area)}`;
    if (key === this.tickKey) return;
    this.tickKey = key;
    Plotly.relayout(this.div, {
      "xaxis.tickmode": session.cursor <= 8 ? "linear" : "auto",
      "xaxis.tick0": 0,
      "xaxis.dtick": session.cursor <= 8 ? 1 : null,
      ...y,
    });
  }

  /** Track the smallest and largest value plotted (for choosing ticks without asking Plotly). */
  widen(trails) {
    for (const frames of trails) {
      for (const frame of frames) {
        const y = frame ? this.value(frame.loss) : null;
        if (y === null) continue;
        if (y < this.extent[0]) this.extent[0] = y;
        if (y > this.extent[1]) this.extent[1] = y;
      }
    }
  }

  restyle() {
    this.tracker.invalidate();
  }
}
