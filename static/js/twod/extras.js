// What each walker carries besides its position: the way down (−∇f), the velocity of momentum methods,
// the simplex of Nelder–Mead, the probes of Hooke–Jeeves and line-search trial points.
// Each is a small Plotly trace on the overlay, in the walker's colour.
import { colour, tint } from "../lib/palette.js";

const ARROW_LENGTH = 0.13; // of the map's width: arrows show directions, the scoreboard shows sizes
// Below this a slope or velocity is zero for any picture: no arrow, so a walker at the bottom shows
// none rather than a full-length arrow pointing along rounding noise.
const FLAT = 1e-6;

function isPoint(p) {
  return Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === "number" && Number.isFinite(v));
}

/** A list of 2D points found in an extras value: [[x, y], ...], {points: [...]}, or {x: [...], y: [...]}. */
export function pointsOf(value) {
  if (!value) return [];
  if (Array.isArray(value)) {
    if (isPoint(value) && !value.some(Array.isArray)) return [value];
    return value.filter(isPoint);
  }
  if (typeof value === "object") {
    for (const key of ["points", "vertices", "probes", "trials"]) if (value[key]) return pointsOf(value[key]);
    if (Array.isArray(value.x) && Array.isArray(value.y)) return value.x.map((x, i) => [x, value.y[i]]).filter(isPoint);
  }
  return [];
}

/** An arrow from `from` along `direction`, drawn `length` long (a line ending in an arrowhead marker). */
export function arrowTrace(from, direction, length, { colour: c, width, dash = "solid", size, name = "" }) {
  const norm = Math.hypot(direction[0], direction[1]);
  if (!isPoint(from) || !Number.isFinite(norm) || norm < FLAT) return null;
  const to = [from[0] + (direction[0] / norm) * length, from[1] + (direction[1] / norm) * length];
  return {
    type: "scatter",
    mode: "lines+markers",
    x: [from[0], to[0]],
    y: [from[1], to[1]],
    line: { color: c, width, dash },
    marker: { symbol: ["circle", "arrow"], size: [0, size], color: c, angleref: "previous" },
    hoverinfo: "skip",
    showlegend: false,
    name,
  };
}

/** The traces for one walker's extras at its current frame. */
export function extrasTraces(frame, run, { span, th, arrows, gradient = true }) {
  const out = [];
  const here = frame.params;
  const extras = frame.extras ?? {};
  const length = span * ARROW_LENGTH;
  const simplex = pointsOf(extras.simplex);
  if (simplex.length >= 3) {
    const ring = [...simplex, simplex[0]];
    out.push({
      type: "scatter",
      mode: "lines+markers",
      x: ring.map((p) => p[0]),
      y: ring.map((p) => p[1]),
      fill: "toself",
      fillcolor: tint(run, 0.18),
      line: { color: colour(run), width: th.line * 0.7 },
      marker: { size: th.marker * 0.45, color: colour(run) },
      hoverinfo: "skip",
      showlegend: false,
    });
  }
  const pattern = pointsOf(extras.pattern);
  if (pattern.length) {
    // The probes around the base point, each joined to it: the "pattern" the method tries.
    const base = isPoint(extras.base) ? extras.base : here;
    const x = [];
    const y = [];
    for (const p of pattern) x.push(base[0], p[0], null), y.push(base[1], p[1], null);
    out.push({
      type: "scatter",
      mode: "lines+markers",
      x,
      y,
      line: { color: colour(run), width: th.line * 0.6, dash: "dot" },
      marker: { symbol: "circle-open", size: th.marker * 0.6, color: colour(run), line: { width: 2.5 } },
      hoverinfo: "skip",
      showlegend: false,
    });
  }
  // A line search on an unbounded direction probes as far as 1e100: such points are off any map, and SVG
  // cannot place them (a coordinate printed in exponent notation is rejected), so only drawable ones are drawn.
  const trials = pointsOf(extras.trial_points).filter((p) => Math.abs(p[0]) < 1e12 && Math.abs(p[1]) < 1e12);
  if (trials.length) {
    out.push({
      type: "scatter",
      mode: "markers",
      x: trials.map((p) => p[0]),
      y: trials.map((p) => p[1]),
      marker: { symbol: "circle-open", size: th.marker * 0.55, color: colour(run), line: { width: 2 } },
      hoverinfo: "skip",
      showlegend: false,
    });
  }
  if (!arrows) return out;
  const grad = frame.grad;
  if (gradient && isPoint(grad)) {
    const down = arrowTrace(here, [-grad[0], -grad[1]], length, {
      colour: colour(run),
      width: th.line,
      size: th.marker * 0.9,
    });
    if (down) out.push(down);
  }
  const velocity = extras.velocity;
  if (isPoint(velocity)) {
    // torch.optim's buffer enters as x ← x − lr·v, other texts write x ← x + v: draw the way it carries.
    const update = extras.update;
    const sign = isPoint(update) && velocity[0] * update[0] + velocity[1] * update[1] > 0 ? 1 : -1;
    const carried = arrowTrace(here, [sign * velocity[0], sign * velocity[1]], length * 0.8, {
      colour: colour(run),
      width: th.line * 0.8,
      dash: "dot",
      size: th.marker * 0.75,
    });
    if (carried) out.push(carried);
  }
  return out;
}
