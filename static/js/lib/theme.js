// Plot styling read from the CSS custom properties, so normal and presenter modes are declared in one place
// (static/css) and Plotly follows whatever the stylesheet says. Tick labels use the page language's decimal mark.
import { language } from "./messages.js";

// Plotly's `separators`: the decimal mark, then the thousands mark (none: short numbers read better without).
const DECIMAL = new Intl.NumberFormat(language()).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";
const SEPARATORS = `${DECIMAL}\u2009`;

// Plotly places tick labels and titles by font size alone, as if every font's line were as tall as a Latin one's
// (DejaVu Sans, Segoe UI, Roboto: about 1.17 em). Noto Sans CJK's lines are 1.45 em and Microsoft JhengHei's are
// taller too, so in Traditional Chinese neighbouring labels touched (the x title against "0", the corner labels
// of two axes). The charts add what a line of the plot font has beyond a Latin one as space between labels.
const LATIN_LINE = 1.17;
const lineHeights = new Map();

/** The height of a line of ``family`` in em (its ascent plus descent), measured once per family. */
function lineHeight(family) {
  if (!lineHeights.has(family)) {
    const context = document.createElement("canvas").getContext("2d");
    context.font = `100px ${family}`;
    const measured = context.measureText("0");
    const em = (measured.fontBoundingBoxAscent + measured.fontBoundingBoxDescent) / 100;
    lineHeights.set(family, Number.isFinite(em) && em > 0 ? em : LATIN_LINE);
  }
  return lineHeights.get(family);
}

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function theme() {
  const rootPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const font = Math.round(rootPx * parseFloat(cssVar("--plot-scale", "1")));
  const fontFamily = cssVar("--font-plot", "system-ui, sans-serif");
  return {
    font,
    fontFamily,
    // Pixels a tick label reaches beyond where Plotly expects it, above and below: 0 for Latin fonts.
    spare: Math.round(Math.max(0, lineHeight(fontFamily) - LATIN_LINE) * font * 0.9),
    text: cssVar("--ink", "#111"),
    muted: cssVar("--ink-muted", "#555"),
    grid: cssVar("--grid", "#ddd"),
    paper: cssVar("--plot-paper", "rgba(0,0,0,0)"),
    line: parseFloat(cssVar("--plot-line", "3")),
    marker: Math.round(font * parseFloat(cssVar("--plot-marker", "1.1"))),
    curve: cssVar("--curve", "#333"),
  };
}

/**
 * A base layout: fonts, colours, margins, no Plotly logo or mode bar clutter. The left and bottom margins grow by
 * what the axes' labels and titles moved out for a tall font (see ``axis``), so the titles stay on the chart.
 */
export function baseLayout(th = theme(), extra = {}) {
  const layout = {
    font: { family: th.fontFamily, size: th.font, color: th.text },
    paper_bgcolor: th.paper,
    plot_bgcolor: th.paper,
    margin: { l: th.font * 4, r: th.font, t: th.font * 0.8, b: th.font * 3.2 },
    showlegend: false,
    hovermode: "closest",
    dragmode: false,
    separators: SEPARATORS,
    ...extra,
  };
  const { l, b } = layout.margin;
  if (th.spare && l && b) layout.margin = { ...layout.margin, l: l + th.spare, b: b + 2 * th.spare };
  return layout;
}

/**
 * An axis. With a tall font (``th.spare`` > 0) its tick labels stand off from the axis line by the excess, and its
 * title gets an explicit standoff, which Plotly measures from the labels as drawn rather than from the font size.
 */
export function axis(th, extra = {}) {
  const out = {
    gridcolor: th.grid,
    zerolinecolor: th.muted,
    linecolor: th.muted,
    tickfont: { size: th.font * 0.9 },
    title: { font: { size: th.font * 0.95 }, standoff: th.font * 0.4 },
    automargin: false,
    fixedrange: true,
    ...extra,
  };
  if (th.spare) {
    out.ticklabelstandoff = th.spare;
    out.title = { ...out.title, standoff: (out.title.standoff ?? th.font * 0.4) + th.spare };
  }
  return out;
}

/** The height a tick label needs on a chart (a power of ten with its exponent included): for ticks per chart. */
export function labelHeight(th) {
  return th.font * 1.6 + 2 * th.spare;
}

/** A y axis title that reads across, above the axis, right of its line (a short chart has no room for it sideways). */
export function titleAbove(th, text) {
  return {
    xref: "paper",
    yref: "paper",
    x: 0,
    y: 1,
    xanchor: "left",
    yanchor: "bottom",
    xshift: th.font * 0.4, // right of the axis line: clear of the tick labels beside it
    yshift: th.font * 0.2,
    showarrow: false,
    text,
    font: { size: th.font * 0.95, color: th.text },
  };
}

export const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false, scrollZoom: false };
