// Fog: gradient descent only knows the ground under its feet. The fog is one SVG path over the map
// with a round hole around each walker (even-odd fill), so moving it is a cheap relayout of a shape.

const SEGMENTS = 40;
export const FOG_RADIUS = 0.11; // of the map's width

function circle(cx, cy, r) {
  const points = [];
  for (let i = 0; i < SEGMENTS; i += 1) {
    const a = (2 * Math.PI * i) / SEGMENTS;
    points.push(`${i ? "L" : "M"}${cx + r * Math.cos(a)},${cy + r * Math.sin(a)}`);
  }
  return `${points.join(" ")} Z`;
}

/** A layout shape covering the box [x0, x1] x [y0, y1] except near `walkers` ([[x, y], ...]). */
export function fogShape([x0, x1], [y0, y1], walkers, colour) {
  const r = (x1 - x0) * FOG_RADIUS;
  const pad = (x1 - x0) * 0.02;
  const outer = `M${x0 - pad},${y0 - pad} L${x1 + pad},${y0 - pad} L${x1 + pad},${y1 + pad} L${x0 - pad},${y1 + pad} Z`;
  const holes = walkers.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => circle(x, y, r));
  return {
    type: "path",
    path: [outer, ...holes].join(" "),
    xref: "x",
    yref: "y",
    fillcolor: colour,
    fillrule: "evenodd",
    line: { width: 0 },
    layer: "below",
  };
}

/** For the 3D view: the surface with everything farther than the fog radius from every walker removed. */
export function foggedGrid(surface, walkers) {
  const r = (surface.x[surface.x.length - 1] - surface.x[0]) * FOG_RADIUS;
  const r2 = r * r;
  return surface.z.map((row, i) =>
    row.map((value, j) => {
      const x = surface.x[j];
      const y = surface.y[i];
      return walkers.some(([wx, wy]) => (x - wx) ** 2 + (y - wy) ** 2 <= r2) ? value : null;
    }),
  );
}
