// The loss landscape around the current weights (two filter-normalised random directions, Li et al. 2018)
// and, beside it, the path drawn on the plane of the weight history's top two principal directions.
import { num } from "../lib/format.js";
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

const SCALE = "Viridis";

/** log10 of the loss, so that valleys and walls both show; null stays null. */
const shown = (grid) => grid.map((row) => row.map((v) => (v === null || v <= 0 ? null : Math.log10(v))));

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
  const layout = (x, y, extra = {}) =>
    baseLayout(th, {
      margin: { l: th.font * 3.2, r: th.font * 0.5, t: th.font * 2, b: th.font * 3 },
      xaxis: axis(th, { title: { text: x }, zeroline: false }),
      yaxis: axis(th, { title: { text: y }, zeroline: false }),
      ...extra,
    });
  Plotly.react(
    around,
    [
      { type: "contour", x: result.alpha, y: result.beta, z: shown(result.loss), colorscale: SCALE, showscale: false, ncontours: 25 },
      { type: "scatter", mode: "markers", x: [0], y: [0], marker: { symbol: "x", size: th.marker, color: "#fff", line: { width: 2 } } },
    ],
    layout(t("net.landscape.alpha"), t("net.landscape.beta"), {
      title: { text: t("net.landscape.around"), font: { size: th.font }, x: 0.02, y: 0.98 },
    }),
    PLOT_CONFIG,
  );
  const [u, v] = result.explained;
  const far = Math.max(...result.distance);
  Plotly.react(
    plane,
    [
      { type: "contour", x: result.pca_u, y: result.pca_v, z: shown(result.pca_loss), colorscale: SCALE, showscale: false, ncontours: 25 },
      {
        type: "scatter",
        mode: "lines+markers",
        x: result.path.map((p) => p[0]),
        y: result.path.map((p) => p[1]),
        line: { color: "#111", width: th.line * 0.8 },
        marker: { size: th.marker * 0.3, color: colour(0) },
      },
    ],
    layout(t("net.landscape.pc", { n: 1, share: num(100 * u, 3) }), t("net.landscape.pc", { n: 2, share: num(100 * v, 3) }), {
      title: { text: t("net.landscape.path", { far: num(far, 3) }), font: { size: th.font * 0.85 }, x: 0.02, y: 0.98 },
    }),
    PLOT_CONFIG,
  );
}
