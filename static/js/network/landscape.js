// The loss landscape around the current weights (two random directions, each filter-normalised on its own,
// Li et al. 2018) and, beside it, the path on the plane through the final weights spanned by the top two
// principal directions of the path's differences from them. Titles live above the plots, in the page.
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

const SCALE = "Viridis";

/** log10 of the loss, so that valleys and walls both show; null stays null. */
const logged = (grid) => grid.map((row) => row.map((v) => (v === null || v <= 0 ? null : Math.log10(v))));

/** A slim colour bar beside a contour, its title above it. */
export function colourBar(th, title, extra = {}) {
  return {
    thickness: Math.round(th.font * 0.7),
    outlinewidth: 0,
    title: { text: title, side: "top", font: { size: th.font * 0.8 } },
    tickfont: { size: th.font * 0.8 },
    xpad: 4,
    ...extra,
  };
}

/** Colour-bar ticks for a log10 grid: the loss itself at whole powers of ten (or at 2 and 5 within one). */
function logTicks(grid) {
  const values = grid.flat().filter((v) => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const ticks = [];
  for (let p = Math.floor(lo); p <= Math.ceil(hi); p += 1) {
    for (const m of hi - lo < 1.5 ? [1, 2, 5] : [1]) {
      const v = p + Math.log10(m);
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return { tickvals: ticks, ticktext: ticks.map((v) => String(Number((10 ** v).toPrecision(2)))) };
}

export async function fetchLandscape(spec, step) {
  const response = await fetch("/api/v1/network/landscape", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ run: spec, step, resolution: 41, span: 1 }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail ?? response.statusText);
  return body;
}

export function drawLandscape(around, plane, result) {
  const th = theme();
  const layout = (x, y) =>
    baseLayout(th, {
      margin: { l: th.font * 3.6, r: th.font * 0.5, t: th.font * 0.5, b: th.font * 3.2 },
      xaxis: axis(th, { title: { text: x }, zeroline: false, nticks: 5, tickformat: "~g" }),
      yaxis: axis(th, { title: { text: y }, zeroline: false, nticks: 5, tickformat: "~g" }),
    });
  const contour = (x, y, grid) => {
    const z = logged(grid);
    return {
      type: "contour",
      x,
      y,
      z,
      colorscale: SCALE,
      ncontours: 25,
      showscale: true,
      colorbar: colourBar(th, t("plot.loss.y"), logTicks(z)),
      hoverinfo: "skip",
    };
  };
  Plotly.react(
    around,
    [
      contour(result.alpha, result.beta, result.loss),
      { type: "scatter", mode: "markers", x: [0], y: [0], marker: { symbol: "x", size: th.marker, color: "#fff", line: { width: 2 } } },
    ],
    layout(t("net.landscape.alpha"), t("net.landscape.beta")),
    PLOT_CONFIG,
  );
  const [u, v] = result.explained;
  Plotly.react(
    plane,
    [
      contour(result.pca_u, result.pca_v, result.pca_loss),
      {
        type: "scatter",
        mode: "lines+markers",
        x: result.path.map((p) => p[0]),
        y: result.path.map((p) => p[1]),
        line: { color: "#111", width: th.line * 0.8 },
        marker: { size: th.marker * 0.3, color: colour(0) },
      },
    ],
    layout(t("net.landscape.pc", { n: 1, share: Math.round(100 * u) }), t("net.landscape.pc", { n: 2, share: Math.round(100 * v) })),
    PLOT_CONFIG,
  );
}
