// Plot styling read from the CSS custom properties, so normal and presenter modes are declared in one place
// (static/css) and Plotly follows whatever the stylesheet says. Tick labels use the page language's decimal mark.
import { language } from "./messages.js";

// Plotly's `separators`: the decimal mark, then the thousands mark (none: short numbers read better without).
const DECIMAL = new Intl.NumberFormat(language()).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";
const SEPARATORS = `${DECIMAL}\u2009`;

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function theme() {
  const rootPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const font = Math.round(rootPx * parseFloat(cssVar("--plot-scale", "1")));
  return {
    font,
    fontFamily: cssVar("--font-plot", "system-ui, sans-serif"),
    text: cssVar("--ink", "#111"),
    muted: cssVar("--ink-muted", "#555"),
    grid: cssVar("--grid", "#ddd"),
    paper: cssVar("--plot-paper", "rgba(0,0,0,0)"),
    line: parseFloat(cssVar("--plot-line", "3")),
    marker: Math.round(font * parseFloat(cssVar("--plot-marker", "1.1"))),
    curve: cssVar("--curve", "#333"),
  };
}

/** A base layout: fonts, colours, margins, no Plotly logo or mode bar clutter. */
export function baseLayout(th = theme(), extra = {}) {
  return {
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
}

export function axis(th, extra = {}) {
  return {
    gridcolor: th.grid,
    zerolinecolor: th.muted,
    linecolor: th.muted,
    tickfont: { size: th.font * 0.9 },
    title: { font: { size: th.font * 0.95 }, standoff: th.font * 0.4 },
    automargin: false,
    fixedrange: true,
    ...extra,
  };
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
