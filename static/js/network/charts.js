// The panel's charts: training and test loss of every runner, and the gradient's size in each layer of
// one runner, both against step. A y axis is logarithmic (labelled at powers of ten only) once the values
// span a decade, linear with plain numbers otherwise; a chart with nothing positive to draw says so.
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

// Layer colours from the input (light green) to the output (dark purple): viridis samples spread over the
// whole scale, far enough apart in hue and lightness to tell seven layers apart, in the legend's order.
const LAYER_COLOURS = ["#8fd744", "#35b779", "#1f9e89", "#26828e", "#31688e", "#443983", "#440154"];
const layerColour = (k, layers) => LAYER_COLOURS[layers === 1 ? 6 : Math.round((k * 6) / (layers - 1))];

const positive = (v) => (v === null || v === undefined || v <= 0 ? null : v);

/** The y axis for these values: log at powers of ten across decades, linear with plain numbers within one. */
export function valueAxis(th, values, title) {
  const shown = values.filter((v) => v !== null && v > 0);
  const base = axis(th, { title: { text: title, font: { size: th.font * 0.9 }, standoff: th.font * 0.3 } });
  if (!shown.length) return { ...base, showticklabels: false, range: [0, 1] };
  const lo = Math.min(...shown);
  const hi = Math.max(...shown);
  const decades = Math.log10(hi / lo);
  if (decades < 1) {
    return { ...base, type: "linear", nticks: 4, tickformat: "~g", exponentformat: "power" };
  }
  return {
    ...base,
    type: "log",
    exponentformat: "power",
    dtick: Math.max(1, Math.ceil(decades / 4)),
    minor: { showgrid: false, ticks: "" },
  };
}

/** A chart whose y values are all zero or missing: an empty frame and one sentence in the middle. */
function saying(text, th) {
  return [{ text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: th.font * 0.85 } }];
}

function stepAxis(th) {
  return axis(th, { title: { text: t("plot.loss.x"), font: { size: th.font * 0.9 }, standoff: th.font * 0.2 }, rangemode: "tozero" });
}

function chartLayout(th, yaxis, extra = {}) {
  return baseLayout(th, {
    margin: { l: th.font * 3.8, r: th.font * 0.8, t: th.font * 0.6, b: th.font * 2.8 },
    xaxis: stepAxis(th),
    yaxis,
    showlegend: false,
    ...extra,
  });
}

/** Lines of (step, value) for each series: [{ x, y, colour, dash, width, name }]. */
export function drawSeries(div, series, yTitle, emptyText, extra = () => ({})) {
  const th = theme();
  const traces = series.map((s) => ({
    type: "scatter",
    mode: "lines",
    name: s.name ?? "",
    x: s.x,
    y: s.y.map(positive),
    line: { color: s.colour, width: th.line * (s.width ?? 1), dash: s.dash ?? "solid" },
  }));
  const values = traces.flatMap((trace) => trace.y);
  const yaxis = valueAxis(th, values, yTitle);
  const empty = !values.some((v) => v !== null);
  const layout = chartLayout(th, yaxis, { annotations: empty ? saying(emptyText, th) : [] });
  Plotly.react(div, traces, { ...layout, ...extra(th, layout) }, PLOT_CONFIG);
}

export function drawLosses(div, histories, cursor) {
  const series = [];
  histories.forEach((frames, run) => {
    const shown = frames.slice(0, cursor + 1).filter(Boolean);
    const x = shown.map((f) => f.step);
    series.push({ x, y: shown.map((f) => f.loss), colour: colour(run) });
    series.push({ x, y: shown.map((f) => f.test_loss), colour: colour(run), width: 0.7, dash: "dot" });
  });
  drawSeries(div, series, t("plot.loss.y"), t("net.chart.zero_loss"));
}

export function drawGradients(div, frames, cursor) {
  const shown = frames.slice(0, cursor + 1).filter(Boolean);
  const layers = shown[0]?.layer_grad_norms?.length ?? 0;
  const series = Array.from({ length: layers }, (_, k) => ({
    name: String(k + 1),
    x: shown.map((f) => f.step),
    y: shown.map((f) => f.layer_grad_norms[k]),
    colour: layerColour(k, layers),
    width: 0.8,
  }));
  drawSeries(div, series, "‖∂C/∂W‖", t("net.chart.zero_gradient"), (th, layout) =>
    layers > 1
      ? {
          showlegend: true,
          legend: {
            orientation: "h",
            x: 0,
            xanchor: "left",
            y: 0,
            yanchor: "bottom",
            yref: "container",
            title: { text: t("net.chart.layer_legend"), side: "left" },
            font: { size: th.font * 0.8 },
            itemwidth: 30,
          },
          margin: { ...layout.margin, b: th.font * 4.6 },
        }
      : {},
  );
}
