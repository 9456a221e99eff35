// The 3D view: the surface with each walker's path drawn on it. Drawn only while it is the chosen view.
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";
import { foggedGrid } from "./fog.js";

// Valleys pale blue, slopes sand, peaks dark earth: enough contrast to read on a washed-out projector.
const COLOURSCALE = [
  [0, "#dcebf5"],
  [0.12, "#a9c8dc"],
  [0.35, "#c9b48c"],
  [0.7, "#94764c"],
  [1, "#5a4329"],
];
const SYMBOLS_3D = ["circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open"];

export class SurfaceView {
  constructor(div) {
    this.div = div;
    this.labels = [];
  }

  setSurface(info, surface, heights) {
    this.info = info;
    this.surface = surface;
    this.heights = heights;
    this.shown = heights.grid(surface.z);
    const finite = this.shown.flat().filter((v) => v !== null);
    const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
    this.lift = (hi - lo) * 0.012; // walkers ride just above the surface, not inside it
    this.zRange = [lo, hi + this.lift * 2]; // fixed, so the picture does not jump when fog hides parts
    this.fogKey = null;
  }

  setLabels(labels) {
    this.labels = labels;
  }

  surfaceZ(session, state) {
    if (!state.fog) return this.shown;
    const walkers = session.histories.map((_, run) => session.current(run)?.params).filter(Boolean);
    const key = JSON.stringify(walkers.map((p) => p.map((v) => v.toPrecision(2))));
    if (key !== this.fogKey) {
      this.fogKey = key;
      this.fogged = foggedGrid({ ...this.surface, z: this.shown }, walkers);
    }
    return this.fogged;
  }

  render(session, state) {
    if (!this.surface || this.div.hidden) return;
    const th = theme();
    const s = this.surface;
    const data = [
      {
        type: "surface",
        x: s.x,
        y: s.y,
        z: this.surfaceZ(session, state),
        colorscale: COLOURSCALE,
        showscale: false,
        opacity: 0.95,
        contours: { z: { show: true, usecolormap: false, color: "rgba(40,40,40,0.35)", width: 1 } },
        hoverinfo: "skip",
        lighting: { ambient: 0.75, diffuse: 0.5, specular: 0.05 },
      },
    ];
    session.histories.forEach((_, run) => {
      const frames = session.trail(run).filter((f) => f && f.loss !== null);
      const z = frames.map((f) => this.heights.of(f.loss) + this.lift);
      data.push({
        type: "scatter3d",
        mode: "lines",
        x: frames.map((f) => f.params[0]),
        y: frames.map((f) => f.params[1]),
        z,
        line: { color: colour(run), width: th.line * 2 },
        hoverinfo: "skip",
        showlegend: false,
      });
      const last = frames[frames.length - 1];
      if (!last) return;
      data.push({
        type: "scatter3d",
        mode: "markers",
        x: [last.params[0]],
        y: [last.params[1]],
        z: [z[z.length - 1]],
        marker: { color: colour(run), size: th.marker * 0.55, symbol: SYMBOLS_3D[run % SYMBOLS_3D.length], line: { color: "#fff", width: 1 } },
        name: this.labels[run] ?? "",
        hovertemplate: `${this.labels[run] ?? ""}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
        showlegend: false,
      });
    });
    const [x0, x1] = this.info.domain[0];
    const [y0, y1] = this.info.domain[1];
    const axisStyle = { gridcolor: th.grid, tickfont: { size: th.font * 0.85 }, title: { font: { size: th.font * 0.9 } } };
    const layout = baseLayout(th, {
      margin: { l: 0, r: 0, t: 0, b: 0 },
      uirevision: this.info.id,
      scene: {
        aspectmode: "manual",
        aspectratio: { x: 1, y: (y1 - y0) / (x1 - x0), z: 0.5 },
        xaxis: { ...axisStyle, title: { ...axisStyle.title, text: "x" }, range: [x0, x1] },
        yaxis: { ...axisStyle, title: { ...axisStyle.title, text: "y" }, range: [y0, y1] },
        zaxis: {
          ...axisStyle,
          range: this.zRange,
          title: { ...axisStyle.title, text: this.heights.log ? t("plot.surface.z_log") : "f" },
        },
        // Far enough back that the z axis and its title stay inside the picture at any size.
        camera: { eye: { x: -1.3, y: -1.55, z: 1.05 } },
        domain: { x: [0.04, 1], y: [0, 1] },
      },
    });
    Plotly.react(this.div, data, layout, PLOT_CONFIG);
  }
}
