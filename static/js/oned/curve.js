// The 1D picture: the curve, each walker as a ball with the hops it made, the tangent at the ball
// with its slope, and the step −lr·f′(x) drawn as an arrow.
import { fetchSurface } from "../lib/api.js";
import { num } from "../lib/format.js";
import { t } from "../lib/messages.js";
import { colour, symbol, tint } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";
import { scheduledLr } from "../lib/schedule-rate.js";

const RESOLUTION = 400;
const TANGENT_HALF_WIDTH = 0.14; // of the x range

/** The hyperparameters in force for the step that leaves `step` (a run's config plus its changes). */
export function hyperparametersAt(config, step) {
  if (!config) return null;
  let current = config.hyperparameters;
  for (const change of config.changes ?? []) if (change.at_step <= step) current = change.hyperparameters;
  return current;
}

export class CurvePlot {
  constructor(div) {
    this.div = div;
    this.surface = null;
    this.info = null;
    this.labels = [];
  }

  async setFunction(info) {
    this.info = info;
    this.surface = null;
    const surface = await fetchSurface(info, RESOLUTION);
    if (this.info !== info) return; // another function was chosen meanwhile
    this.surface = surface;
    const finite = surface.z.filter((z) => z !== null);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const pad = (hi - lo) * 0.06 || 1;
    this.xRange = [surface.x[0], surface.x[surface.x.length - 1]];
    this.yRange = [lo - pad, hi + pad];
  }

  setLabels(labels) {
    this.labels = labels;
  }

  /** Keep a point inside the view; say where it really is when it had to move. */
  clamp(x, y) {
    const [x0, x1] = this.xRange;
    const [y0, y1] = this.yRange;
    const cx = Math.min(Math.max(x, x0), x1);
    const cy = Math.min(Math.max(y, y0), y1);
    return { x: cx, y: cy, outside: cx !== x || cy !== y };
  }

  /** The step to draw from the ball: the coming one for plain GD, else the one just taken. */
  stepArrow(session, run, frame, hyperparameters) {
    const optimizer = session.configs[run]?.optimizer;
    // −lr·f′(x) is plain GD's coming step only without weight decay (which adds λ·x to the slope).
    if (optimizer === "gd" && frame.grad?.[0] !== null && hyperparameters?.lr !== undefined && !hyperparameters.weight_decay) {
      const lr = scheduledLr(session.configs[run]?.schedule, hyperparameters.lr, frame.step); // the coming step's
      return { from: frame.params[0], delta: -lr * frame.grad[0], coming: true, lr, slope: frame.grad[0] };
    }
    const delta = frame.extras?.update?.[0];
    if (frame.step === 0 || delta === undefined || delta === null) return null;
    return { from: frame.params[0] - delta, delta, coming: false };
  }

  traces(session, state) {
    const th = theme();
    const s = this.surface;
    const traces = [
      {
        type: "scatter",
        mode: "lines",
        x: s.x,
        y: s.z,
        line: { color: th.curve, width: th.line },
        hovertemplate: "x = %{x:.4g}<br>f(x) = %{y:.4g}<extra></extra>",
        name: "f",
        showlegend: false,
      },
      {
        type: "scatter",
        mode: "markers",
        x: this.info.minima.map((m) => m.point[0]),
        y: this.info.minima.map((m) => m.value),
        marker: { symbol: "line-ns", size: th.marker * 1.3, line: { width: 3, color: th.muted } },
        hoverinfo: "skip",
        showlegend: false,
      },
    ];
    const annotations = [];
    const single = session.histories.length === 1;
    session.histories.forEach((_, run) => {
      const trail = session.trail(run).filter(Boolean);
      const frame = session.current(run);
      if (!frame || frame.params[0] === null) return;
      // The hops it made, drawn only where they are on the chart (a diverging walker leaves it).
      const hops = trail.map((f) => this.clamp(f.params[0], f.loss ?? Infinity));
      traces.push({
        type: "scatter",
        mode: "lines+markers",
        x: hops.map((p) => (p.outside ? null : p.x)),
        y: hops.map((p) => (p.outside ? null : p.y)),
        showlegend: false,
        line: { color: tint(run, 0.45), width: Math.max(1.5, th.line * 0.6) },
        marker: { color: tint(run, 0.55), size: th.marker * 0.45 },
        hoverinfo: "skip",
      });
      const x = frame.params[0];
      const y = frame.loss;
      const slope = frame.grad?.[0];
      if (state.tangent && slope !== null && slope !== undefined && y !== null) {
        const w = (this.xRange[1] - this.xRange[0]) * TANGENT_HALF_WIDTH;
        traces.push({
          type: "scatter",
          mode: "lines",
          x: [x - w, x + w],
          y: [y - slope * w, y + slope * w],
          line: { color: colour(run), width: th.line * 0.8, dash: "dash" },
          hoverinfo: "skip",
          showlegend: false,
        });
      }
      const arrow = state.arrow ? this.addArrow(annotations, session, run, frame, th) : null;
      if (single) annotations.push(this.readout(frame, arrow, state, th));
      const ball = this.clamp(x, y ?? Infinity);
      traces.push({
        type: "scatter",
        mode: ball.outside ? "markers+text" : "markers",
        x: [ball.x],
        y: [ball.y],
        text: [t("plot.curve.outside", { x: num(x, 4) })],
        textposition: this.textPosition(ball),
        textfont: { color: colour(run), size: th.font },
        marker: {
          color: colour(run),
          size: th.marker * 1.15,
          symbol: ball.outside ? this.edgeSymbol(ball) : symbol(run),
          line: { color: "#ffffff", width: 2 },
        },
        showlegend: !single,
        name: this.labels[run] ?? "",
        hovertemplate: `${this.labels[run] ?? ""}<br>x = %{x:.6g}<br>f(x) = %{y:.6g}<extra></extra>`,
      });
    });
    return { traces, annotations };
  }

  /** Where to write "x = … (off the chart)" so that it stays inside the chart. */
  textPosition(ball) {
    const vertical = ball.y >= this.yRange[1] ? "bottom" : "top";
    const horizontal = ball.x > (this.xRange[0] + this.xRange[1]) / 2 ? "left" : "right";
    return `${vertical} ${horizontal}`;
  }

  edgeSymbol(ball) {
    if (ball.x <= this.xRange[0]) return "triangle-left";
    if (ball.x >= this.xRange[1]) return "triangle-right";
    return ball.y >= this.yRange[1] ? "triangle-up" : "triangle-down";
  }

  addArrow(annotations, session, run, frame, th) {
    if (session.restsAt(run)) return null; // it has stopped for good: no step to draw
    const hp = hyperparametersAt(session.configs[run], frame.step);
    const arrow = this.stepArrow(session, run, frame, hp);
    if (!arrow || !Number.isFinite(arrow.delta) || arrow.delta === 0) return arrow;
    const tail = this.clamp(arrow.from, frame.loss ?? Infinity);
    const head = this.clamp(arrow.from + arrow.delta, tail.y);
    if (tail.outside) return arrow; // nothing sensible to draw off the chart; the readout still says it
    annotations.push({
      x: head.x,
      y: head.y,
      ax: tail.x,
      ay: tail.y,
      xref: "x",
      yref: "y",
      axref: "x",
      ayref: "y",
      showarrow: true,
      arrowhead: 2,
      arrowsize: 1.1,
      arrowwidth: th.line,
      arrowcolor: colour(run),
      text: "",
    });
    return arrow;
  }

  /** For a single walker, the numbers of this step in a box at the top of the plot. */
  readout(frame, arrow, state, th) {
    const lines = [t("plot.curve.at", { x: num(frame.params[0]), y: num(frame.loss) })];
    if (state.tangent) lines.push(t("plot.curve.slope", { slope: num(frame.grad?.[0]) }));
    if (arrow?.coming) {
      const slope = arrow.slope < 0 ? `(${num(arrow.slope)})` : num(arrow.slope);
      lines.push(t("plot.curve.step", { lr: num(arrow.lr, 4), slope, delta: num(arrow.delta) }));
    } else if (arrow) {
      lines.push(t("plot.curve.last_step", { delta: num(arrow.delta) }));
    }
    return {
      xref: "paper",
      yref: "paper",
      x: 0.5,
      y: 1,
      xanchor: "center",
      yanchor: "top",
      align: "left",
      showarrow: false,
      text: lines.join("<br>"),
      font: { size: th.font * 1.05, color: th.text },
      bgcolor: "rgba(255,255,255,0.9)",
      bordercolor: th.grid,
      borderwidth: 1,
      borderpad: 6,
    };
  }

  render(session, state) {
    if (!this.surface) return;
    const th = theme();
    const { traces, annotations } = this.traces(session, state);
    const race = session.histories.length > 1;
    const layout = baseLayout(th, {
      xaxis: axis(th, { range: this.xRange, title: { text: "x" } }),
      yaxis: axis(th, { range: this.yRange, title: { text: "f(x)" } }),
      annotations,
      showlegend: race,
      legend: { orientation: "h", x: 0, xanchor: "left", y: 1.03, yanchor: "bottom", font: { size: th.font } },
      margin: { l: th.font * 4, r: th.font, t: race ? th.font * 2.8 : th.font * 0.5, b: th.font * 3.4 },
      uirevision: this.info.id,
    });
    Plotly.react(this.div, traces, layout, PLOT_CONFIG);
  }
}
