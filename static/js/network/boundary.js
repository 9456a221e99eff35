// One network's picture: the probability of class 1 over the plane (its decision boundary at 0.5) with the
// training points (filled) and test points (hollow); for regression, the network's curve through the points.
import { colour } from "../lib/palette.js";
import { axis, baseLayout, PLOT_CONFIG, theme } from "../lib/theme.js";

const CLASS_COLOURS = ["#D55E00", "#0072B2"];
const SCALE = [
  [0, "#f6c9a8"],
  [0.5, "#f7f7f7"],
  [1, "#a9cbe6"],
];

function pointsTrace(set, hollow, th) {
  const [xs, ys] = [set.x.map((p) => p[0]), set.x.map((p) => p[1])];
  return {
    type: "scatter",
    mode: "markers",
    x: xs,
    y: ys,
    marker: {
      size: th.marker * 0.55,
      color: hollow ? "rgba(0,0,0,0)" : set.y.map((label) => CLASS_COLOURS[label > 0.5 ? 1 : 0]),
      line: { width: hollow ? 2 : 1, color: hollow ? set.y.map((label) => CLASS_COLOURS[label > 0.5 ? 1 : 0]) : "#fff" },
    },
    hoverinfo: "skip",
  };
}

/** options.showTest draws the held-out points too; options.discrete paints each side of 0.5 in one flat colour. */
const DIVERGING = [
  [0, "#D55E00"],
  [0.5, "#f7f7f7"],
  [1, "#0072B2"],
];

/** 2-D regression: the network's output as a heat map, each point coloured by its target on the same scale. */
function drawSurface(div, data, picture, layout, th, showTest) {
  const targets = [...data.train.y, ...data.test.y];
  const reach = Math.max(1, ...targets.map((v) => Math.abs(v)));
  const points = (set, hollow) => ({
    type: "scatter",
    mode: "markers",
    x: set.x.map((p) => p[0]),
    y: set.x.map((p) => p[1]),
    marker: {
      size: th.marker * 0.55,
      color: set.y,
      cmin: -reach,
      cmax: reach,
      colorscale: DIVERGING,
      line: { width: hollow ? 2.5 : 1, color: hollow ? "#222" : "#fff" },
    },
    hoverinfo: "skip",
  });
  const traces = [];
  if (picture?.z) {
    traces.push({
      type: "heatmap",
      x: picture.x,
      y: picture.y,
      z: picture.z,
      zmin: -reach,
      zmax: reach,
      colorscale: DIVERGING,
      zsmooth: "best",
      opacity: 0.75,
      showscale: false,
      hoverinfo: "skip",
    });
  }
  drawWithPoints(div, traces, layout, th, picture, data, showTest, points);
}

/** Level x tick labels, as many as the square plot has room for: a small plot would otherwise get them turned
 *  on end, and cut off by its bottom edge (presenter mode at 1280x720). */
function flatTicks(div, th) {
  const side = Math.min(div.clientWidth || 300, div.clientHeight || 300);
  return { tickangle: 0, nticks: Math.max(3, Math.floor(side / (th.font * 4.5))) };
}

/** The title's type size: the theme's, or less (not under 12 px) when the name would not fit the plot's width. */
function titleSize(div, title, th) {
  const width = (div.clientWidth || 400) * 0.95;
  return Math.max(12, Math.min(th.font, width / (0.62 * [...String(title)].length)));
}

export function drawBoundary(div, data, picture, run, title, options = {}) {
  const { showTest = true, discrete = false } = options;
  const th = theme();
  const layout = baseLayout(th, {
    margin: { l: th.font * 3, r: th.font * 0.6, t: th.font * 1.8, b: th.font * 2 },
    // A long runner name in a narrow plot (two side by side on a phone) gets smaller type rather than cut off.
    title: { text: title, font: { size: titleSize(div, title, th), color: colour(run) }, x: 0.02, y: 0.98 },
    uirevision: "boundary",
  });
  if (data.task === "regression" && data.train.x[0]?.length === 2) {
    drawSurface(div, data, picture, layout, th, showTest);
    return;
  }
  if (data.task === "regression") {
    const traces = [
      {
        type: "scatter",
        mode: "markers",
        x: data.train.x.map((p) => p[0]),
        y: data.train.y,
        marker: { size: th.marker * 0.5, color: "#777" },
        hoverinfo: "skip",
      },
      { type: "scatter", mode: "lines", x: picture?.x ?? [], y: picture?.curve ?? [], line: { color: colour(run), width: th.line } },
    ];
    Plotly.react(div, traces, { ...layout, xaxis: axis(th), yaxis: axis(th, { range: [-1.8, 1.8] }) }, PLOT_CONFIG);
    return;
  }
  const traces = [];
  if (picture?.z && discrete) {
    traces.push({
      type: "heatmap",
      x: picture.x,
      y: picture.y,
      z: picture.z.map((row) => row.map((v) => (v === null ? null : v >= 0.5 ? 1 : 0))),
      zmin: 0,
      zmax: 1,
      zsmooth: false,
      colorscale: [
        [0, SCALE[0][1]],
        [1, SCALE[2][1]],
      ],
      showscale: false,
      hoverinfo: "skip",
    });
    traces.push({
      type: "contour",
      x: picture.x,
      y: picture.y,
      z: picture.z,
      contours: { start: 0.5, end: 0.5, size: 1, coloring: "none", showlines: true },
      line: { color: "#222", width: 2.5 },
      showscale: false,
      hoverinfo: "skip",
    });
  } else if (picture?.z) {
    traces.push({
      type: "contour",
      x: picture.x,
      y: picture.y,
      z: picture.z,
      zmin: 0,
      zmax: 1,
      colorscale: SCALE,
      showscale: false,
      contours: { start: 0.5, end: 0.5, size: 1, coloring: "heatmap", showlines: true },
      line: { color: "#222", width: 2.5 },
      hoverinfo: "skip",
    });
  }
  drawWithPoints(div, traces, layout, th, picture, data, showTest, (set, hollow) => pointsTrace(set, hollow, th));
}

/** The picture's traces, then the training (and, if asked, test) points on top, on square axes over the picture. */
function drawWithPoints(div, traces, layout, th, picture, data, showTest, points) {
  traces.push(points(data.train, false));
  if (showTest) traces.push(points(data.test, true));
  const range = picture?.x ? [picture.x[0], picture.x[picture.x.length - 1]] : undefined;
  const rangeY = picture?.y ? [picture.y[0], picture.y[picture.y.length - 1]] : undefined;
  Plotly.react(
    div,
    traces,
    {
      ...layout,
      xaxis: axis(th, { range, showgrid: false, zeroline: false, constrain: "domain", ...flatTicks(div, th) }),
      yaxis: axis(th, { range: rangeY, showgrid: false, zeroline: false, scaleanchor: "x", constrain: "domain" }),
    },
    PLOT_CONFIG,
  );
}
