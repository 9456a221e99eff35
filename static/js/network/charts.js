// The panel's charts: training and test loss of every runner, and the gradient's size in each layer of
// one runner (its legend is HTML, in the chart's title line), both against step. A y axis is logarithmic (labelled at powers of ten only) once the values
// span a decade, linear with plain numbers otherwise; a chart with nothing positive to draw says so.
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

// Layer colours from the input (light green) to the output (dark purple): viridis samples spread over the
// whole scale, far enough apart in hue and lightness to tell seven layers apart, in the legend's order.
const LAYER_COLOURS = ["#8fd744", "#35b779", "#1f9e89", "#26828e", "#31688e", "#443983", "#440154"];
export const layerColour = (k, layers) => LAYER_COLOURS[layers === 1 ? 6 : Math.round((k * 6) / (layers - 1))];

const positive = (v) => (v === null || v === undefined || v <= 0 ? null : v);

/** The y axis for these values: log at powers of ten across decades, linear with plain numbers within one. */
export function valueAxis(th, values, title, heightPx = 200) {
  const shown = values.filter((v) => v !== null && v > 0);
  const base = axis(th, { title: { text: title, font: { size: th.font * 0.9 }, standoff: th.font * 0.3 } });
  if (!shown.length) return { ...base, title: { text: "" }, showticklabels: false, range: [0, 1] };
  const lo = Math.min(...shown);
  const hi = Math.max(...shown);
  const decades = Math.log10(hi / lo);
  if (decades < 1) {
    return { ...base, type: "linear", nticks: 4, tickformat: "~g", exponentformat: "power" };
  }
  return { ...base, type: "log", ...logTicks(lo, hi, Math.max(2, Math.floor(heightPx / (th.font * 1.9)))) };
}

/** A tick label in full size: 0.02, 500, or 2·10⁻⁵ when a plain number would be long. */
function tickText(value) {
  const power = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = Math.round(value / 10 ** power);
  if (power >= -3 && power <= 4) return String(Number(value.toPrecision(1)));
  return mantissa === 1 ? `10<sup>${power}</sup>` : `${mantissa}·10<sup>${power}</sup>`;
}

/** Ticks on a log axis at 1, 2 and 5 times powers of ten (only powers, and every k-th, when space is short). */
export function logTicks(lo, hi, room) {
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const inRange = (v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  let values = [];
  for (let p = first; p <= last; p += 1) for (const m of [1, 2, 5]) values.push(m * 10 ** p);
  values = values.filter(inRange);
  if (values.length > room) {
    const powers = [];
    for (let p = first; p <= last; p += 1) powers.push(10 ** p);
    const shown = powers.filter(inRange);
    const every = Math.max(1, Math.ceil(shown.length / room));
    values = shown.filter((v) => Math.round(Math.log10(v)) % every === 0);
  }
  return { tickmode: "array", tickvals: values, ticktext: values.map(tickText), minor: { showgrid: false, ticks: "" } };
}

/** A chart whose y values are all zero or missing: an empty frame and one sentence in the middle. */
function saying(text, th) {
  return [{ text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: th.font * 0.8 } }];
}

function stepAxis(th) {
  return axis(th, { title: { text: t("plot.loss.x"), font: { size: th.font * 0.9 }, standoff: th.font * 0.2 }, rangemode: "tozero" });
}

function chartLayout(th, yaxis, extra = {}) {
  return baseLayout(th, {
    margin: { l: th.font * 4.4, r: th.font * 0.8, t: th.font * 0.6, b: th.font * 2.8 },
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
  const empty = !values.some((v) => v !== null);
  const layout = chartLayout(th, null, { annotations: empty ? saying(emptyText, th) : [] });
  const full = { ...layout, ...extra(th, layout) };
  full.yaxis = valueAxis(th, values, yTitle, (div.clientHeight || 200) - full.margin.t - full.margin.b);
  Plotly.react(div, traces, full, PLOT_CONFIG);
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
  drawSeries(div, series, "‖∂C/∂W‖", t("net.chart.zero_gradient"));
  return layers;
}
