// The map: a contour plot drawn once per function (the base), and a transparent plot exactly on top
// of it (the overlay) with the walkers, their trails, arrows, simplexes, the start and the fog.
// Walkers move many times a second; keeping them on their own plot means the contours are never
// recomputed while they do. Both plots share ranges, margins and an equal aspect ratio (so −∇f really
// is perpendicular to the contour lines on screen).
import { t } from "../lib/messages.js";
import { colour, symbol } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";
import { extrasTraces } from "./extras.js";
import { fogShape } from "./fog.js";

const COLOURSCALE = [
  [0, "#f8fbff"],
  [0.35, "#dfe6ea"],
  [0.7, "#c9bfa8"],
  [1, "#8f7d62"],
];
const FOG_COLOUR = "rgba(196, 200, 206, 0.97)";

export class ContourView {
  constructor(base, overlay, { onPick }) {
    this.base = base;
    this.overlay = overlay;
    this.labels = [];
    overlay.addEventListener("click", (event) => {
      const picked = this.toData(event);
      if (picked) onPick(picked);
    });
  }

  setSurface(info, surface, heights) {
    this.info = info;
    this.surface = surface;
    this.heights = heights;
    this.xRange = info.domain[0];
    this.yRange = info.domain[1];
    this.drawBase();
  }

  setLabels(labels, families = []) {
    this.labels = labels;
    this.families = families;
  }

  axes(th, visible) {
    const common = { fixedrange: true, showgrid: false, zeroline: false };
    const shown = visible ? {} : { showticklabels: false, ticks: "", showline: false, title: { text: "" } };
    return {
      xaxis: axis(th, { ...common, range: this.xRange, title: { text: "x" }, constrain: "domain", ...shown }),
      yaxis: axis(th, {
        ...common,
        range: this.yRange,
        title: { text: "y" },
        scaleanchor: "x",
        scaleratio: 1,
        constrain: "domain",
        ...shown,
      }),
    };
  }

  margins(th) {
    return { l: th.font * 3.2, r: th.font * 0.8, t: th.font * 0.6, b: th.font * 3.3 };
  }

  drawBase() {
    const th = theme();
    const s = this.surface;
    const trace = {
      type: "contour",
      x: s.x,
      y: s.y,
      z: this.heights.grid(s.z),
      colorscale: COLOURSCALE,
      showscale: false,
      ncontours: 30,
      contours: { coloring: "heatmap", showlines: true },
      line: { color: "rgba(40, 40, 40, 0.35)", width: 1 },
      hoverinfo: "skip",
    };
    const layout = baseLayout(th, { ...this.axes(th, true), margin: this.margins(th) });
    Plotly.react(this.base, [trace], layout, { ...PLOT_CONFIG, staticPlot: true });
  }

  /** Data coordinates of a click on the overlay, or null outside the map. */
  toData(event) {
    const area = this.overlay.querySelector(".nsewdrag");
    if (!area || !this.xRange) return null;
    const box = area.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width;
    const fy = (event.clientY - box.top) / box.height;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
    const x = this.xRange[0] + fx * (this.xRange[1] - this.xRange[0]);
    const y = this.yRange[1] - fy * (this.yRange[1] - this.yRange[0]);
    return [Number(x.toPrecision(3)), Number(y.toPrecision(3))];
  }

  walkerTraces(session, th) {
    const trails = session.histories.map((_, run) => {
      const frames = session.trail(run).filter(Boolean);
      return {
        type: "scatter",
        mode: "lines+markers",
        x: frames.map((f) => f.params[0]),
        y: frames.map((f) => f.params[1]),
        line: { color: colour(run), width: th.line * 0.75 },
        marker: { color: colour(run), size: th.marker * 0.3 },
        name: this.labels[run] ?? "",
        hovertemplate: `${this.labels[run] ?? ""}<br>step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
        showlegend: false,
      };
    });
    return trails;
  }

  decorations(session, state, th) {
    const span = this.xRange[1] - this.xRange[0];
    const out = [];
    const start = session.configs.map((c) => c.start).filter(Boolean);
    out.push({
      type: "scatter",
      mode: "markers",
      x: start.map((p) => p[0]),
      y: start.map((p) => p[1]),
      marker: { symbol: "circle-open", size: th.marker * 1.4, color: th.text, line: { width: 3 } },
      hovertemplate: `${t("plot.map.start")} (%{x:.4g}, %{y:.4g})<extra></extra>`,
      showlegend: false,
    });
    session.histories.forEach((_, run) => {
      const frame = session.current(run);
      if (!frame) return;
      const exit = this.exitOf(session.trail(run).filter(Boolean));
      if (exit) {
        out.push(this.exitMarker(exit, run, th));
        return;
      }
      if (!frame.params.every(Number.isFinite)) return;
      // A derivative-free method never looks at the slope: no −∇f arrow for it.
      const gradient = this.families?.[run] !== "direct_search";
      // A walker that has stopped where it meant to (converged) or could go no further (stalled)
      // takes no more steps: no arrow promises one.
      const arrows = state.arrows && !session.restsAt(run);
      out.push(...extrasTraces(frame, run, { span, th, arrows, gradient }));
      out.push({
        type: "scatter",
        mode: "markers",
        x: [frame.params[0]],
        y: [frame.params[1]],
        marker: {
          color: colour(run),
          size: th.marker * 1.15,
          symbol: symbol(run),
          line: { color: "#ffffff", width: 2 },
        },
        name: this.labels[run] ?? "",
        hovertemplate: `${this.labels[run] ?? ""}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
        showlegend: false,
      });
    });
    // The lowest points above the walkers: a walker sitting on one shows as a ring around its star.
    if (!state.fog) {
      const minima = this.info.minima;
      out.push({
        type: "scatter",
        mode: "markers",
        x: minima.map((m) => m.point[0]),
        y: minima.map((m) => m.point[1]),
        marker: {
          symbol: minima.map((m) => (m.kind === "global" ? "star" : "star-open")),
          size: th.marker * 0.95,
          color: th.text,
          line: { color: "#ffffff", width: 1 },
        },
        hovertemplate: `${t("plot.map.minimum")} (%{x:.4g}, %{y:.4g})<extra></extra>`,
        showlegend: false,
      });
    }
    return out;
  }

  inside(p) {
    return (
      p.every(Number.isFinite) &&
      p[0] >= this.xRange[0] &&
      p[0] <= this.xRange[1] &&
      p[1] >= this.yRange[0] &&
      p[1] <= this.yRange[1]
    );
  }

  /**
   * Where a walker that is now off the map crossed its edge: the last step that went from inside to
   * outside, cut at the border, and that step's direction. Null while the walker is on the map.
   */
  exitOf(frames) {
    const here = frames.at(-1)?.params;
    if (!here || this.inside(here)) return null;
    for (let k = frames.length - 1; k > 0; k -= 1) {
      const a = frames[k - 1].params;
      if (!this.inside(a)) continue;
      const b = frames[k].params.every(Number.isFinite) ? frames[k].params : null;
      if (!b) return { point: a, direction: null };
      // The largest fraction of the step a → b that stays inside the box.
      let s = 1;
      for (const [axis, [lo, hi]] of [[0, this.xRange], [1, this.yRange]]) {
        const d = b[axis] - a[axis];
        if (d > 0 && b[axis] > hi) s = Math.min(s, (hi - a[axis]) / d);
        if (d < 0 && b[axis] < lo) s = Math.min(s, (lo - a[axis]) / d);
      }
      return { point: [a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])], direction: [b[0] - a[0], b[1] - a[1]] };
    }
    return null; // it started off the map: nothing to mark on it
  }

  /** An arrowhead on the edge where the walker left, pointing the way it went, in its colour. */
  exitMarker({ point, direction }, run, th) {
    // Plotly turns markers clockwise from "up"; the map has equal scales, so data angles are screen angles.
    const angle = direction ? (Math.atan2(direction[0], direction[1]) * 180) / Math.PI : 0;
    return {
      type: "scatter",
      mode: "markers",
      x: [point[0]],
      y: [point[1]],
      marker: {
        symbol: direction ? "arrow" : "x",
        angle,
        size: th.marker * 1.3,
        color: colour(run),
        line: { color: "#ffffff", width: 1.5 },
      },
      cliponaxis: false,
      name: this.labels[run] ?? "",
      hovertemplate: `${t("plot.map.left", { run: this.labels[run] ?? "" })}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
      showlegend: false,
    };
  }

  overlayLayout(session, state, th) {
    const walkers = session.histories.map((_, run) => session.current(run)?.params ?? [NaN, NaN]);
    return baseLayout(th, {
      ...this.axes(th, false),
      margin: this.margins(th),
      shapes: state.fog ? [fogShape(this.xRange, this.yRange, walkers, FOG_COLOUR)] : [],
      hoverlabel: { font: { size: th.font * 0.9 } },
    });
  }

  /** Traces others put on the map (a class's start points arriving, lib/room-panel.js); none by default. */
  extraTraces() {
    return [];
  }

  render(session, state) {
    if (!this.surface) return;
    const th = theme();
    // Plotly.react redraws only this light overlay; the contour underneath is untouched.
    const data = [...this.walkerTraces(session, th), ...this.decorations(session, state, th), ...this.extraTraces(th)];
    Plotly.react(this.overlay, data, this.overlayLayout(session, state, th), PLOT_CONFIG);
  }

  relayout() {
    this.drawBase();
  }
}
