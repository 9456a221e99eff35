// The class's learning rates as a histogram on a log axis, with the stable limit 2/λmax drawn as a line:
// answers right of it make gradient descent overshoot further at every step near the start.
import { num } from "./format.js";
import { t } from "./messages.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "./theme.js";

const BINS_PER_DECADE = 4;

/** Counts of `values` (positive numbers) in bins of equal width in log10: {edges, counts}; pure. */
export function logBins(values, limit = null, perDecade = BINS_PER_DECADE) {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  if (limit > 0) logs.push(Math.log10(limit)); // the axis reaches the line even when nobody chose near it
  if (!logs.length) return { edges: [], counts: [] };
  const lo = Math.floor(Math.min(...logs) * perDecade) / perDecade;
  const hi = Math.max(lo + 1 / perDecade, Math.ceil((Math.max(...logs) + 1e-9) * perDecade) / perDecade);
  const n = Math.round((hi - lo) * perDecade);
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + i / perDecade);
  const counts = new Array(n).fill(0);
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const k = Math.min(n - 1, Math.max(0, Math.floor((Math.log10(v) - lo) * perDecade + 1e-9)));
    counts[k] += 1;
  }
  return { edges, counts };
}

/** Draw the histogram of `values` into `div`, with `stableLr` (2/λmax, or null) as a vertical line. */
export function drawHistogram(div, values, stableLr) {
  const th = theme();
  const { edges, counts } = logBins(values, stableLr);
  const centres = counts.map((_, i) => 10 ** ((edges[i] + edges[i + 1]) / 2));
  const widths = counts.map((_, i) => 10 ** edges[i + 1] - 10 ** edges[i]);
  const bars = {
    type: "bar",
    x: centres,
    y: counts,
    width: widths,
    marker: { color: "#0072B2", line: { color: th.text, width: 1 } },
    hovertemplate: "%{y}<extra></extra>",
  };
  const shapes = [];
  const annotations = [];
  if (stableLr > 0) {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: stableLr, x1: stableLr, y0: 0, y1: 1, line: { color: "#D55E00", width: th.line, dash: "dash" } });
    annotations.push({
      xref: "x",
      yref: "paper",
      x: Math.log10(stableLr),
      y: 1,
      yanchor: "bottom",
      text: t("lecture.hist.limit", { limit: num(stableLr, 3) }),
      showarrow: false,
      font: { color: "#D55E00", size: th.font * 0.9 },
    });
  }
  const top = Math.max(1, ...counts);
  const layout = baseLayout(th, {
    margin: { l: th.font * 3, r: th.font, t: th.font * 2, b: th.font * 3.4 },
    xaxis: axis(th, { type: "log", title: { text: t("lecture.hist.x") }, exponentformat: "power" }),
    yaxis: axis(th, { title: { text: t("lecture.hist.y") }, range: [0, top * 1.15], dtick: top > 10 ? undefined : 1 }),
    shapes,
    annotations,
    bargap: 0,
  });
  window.Plotly?.react(div, [bars], layout, PLOT_CONFIG);
}
