// The panel's charts: training and test loss of every runner, and the gradient's size in each layer of
// one runner, both against step on log axes (vanishing gradients are orders of magnitude).
import { t } from "../lib/messages.js";
import { colour, COLOURS } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

function layout(th, yTitle, traces) {
  // Only powers of ten once the values span a decade: the 2s and 5s in between read as data.
  const values = traces.flatMap((trace) => trace.y).filter((v) => v !== null && v > 0);
  const decades = values.length ? Math.log10(Math.max(...values) / Math.min(...values)) : 0;
  return baseLayout(th, {
    margin: { l: th.font * 3.6, r: th.font * 0.6, t: th.font * 0.4, b: th.font * 2.6 },
    xaxis: axis(th, { title: { text: t("plot.loss.x") }, rangemode: "tozero" }),
    yaxis: axis(th, {
      type: "log",
      exponentformat: "power",
      title: { text: yTitle },
      dtick: decades > 1 ? Math.max(1, Math.ceil(decades / 5)) : "D2",
    }),
    showlegend: false,
  });
}

const positive = (v) => (v === null || v === undefined || v <= 0 ? null : v);

export function drawLosses(div, histories, cursor) {
  const th = theme();
  const traces = [];
  histories.forEach((frames, run) => {
    const shown = frames.slice(0, cursor + 1).filter(Boolean);
    const x = shown.map((f) => f.step);
    traces.push({ type: "scatter", mode: "lines", x, y: shown.map((f) => positive(f.loss)), line: { color: colour(run), width: th.line } });
    traces.push({
      type: "scatter",
      mode: "lines",
      x,
      y: shown.map((f) => positive(f.test_loss)),
      line: { color: colour(run), width: th.line * 0.7, dash: "dot" },
    });
  });
  Plotly.react(div, traces, layout(th, t("plot.loss.y"), traces), PLOT_CONFIG);
}

export function drawGradients(div, frames, cursor) {
  const th = theme();
  const shown = frames.slice(0, cursor + 1).filter(Boolean);
  const layers = shown[0]?.layer_grad_norms?.length ?? 0;
  const traces = Array.from({ length: layers }, (_, k) => ({
    type: "scatter",
    mode: "lines",
    name: t("net.layer", { n: k + 1 }),
    x: shown.map((f) => f.step),
    y: shown.map((f) => positive(f.layer_grad_norms[k])),
    // Input-side layers pale, output-side dark: the eye reads the gradient fading towards the input.
    line: { color: COLOURS[6], width: th.line * 0.8, dash: "solid" },
    opacity: 0.3 + (0.7 * (k + 1)) / layers,
  }));
  const plotLayout = layout(th, "‖∂C/∂W‖", traces);
  plotLayout.showlegend = layers > 1;
  plotLayout.legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: th.font * 0.75 } };
  plotLayout.margin.t = layers > 1 ? th.font * 2.2 : th.font * 0.4;
  Plotly.react(div, traces, plotLayout, PLOT_CONFIG);
}
