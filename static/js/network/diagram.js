// The network as a diagram: a column of circles per layer, a line per weight, coloured by sign and sized
// by magnitude, redrawn from the weights the server sends with each newest frame.
const NS = "http://www.w3.org/2000/svg";
const POSITIVE = "#0072B2";
const NEGATIVE = "#D55E00";

function node(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function drawDiagram(svg, weights) {
  const width = svg.clientWidth || 600;
  const height = svg.clientHeight || 200;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (!weights?.length) return svg.replaceChildren();
  const sizes = [weights[0].w.length, ...weights.map((layer) => layer.b.length)];
  const pad = 24;
  const x = (k) => pad + ((width - 2 * pad) * k) / Math.max(1, sizes.length - 1);
  const y = (k, i) => pad + ((height - 2 * pad) * (i + 0.5)) / sizes[k];
  const radius = Math.max(4, Math.min(12, (height - 2 * pad) / (2.6 * Math.max(...sizes))));
  const largest = Math.max(1e-9, ...weights.flatMap((layer) => layer.w.flat().map((v) => Math.abs(v ?? 0))));
  const lines = [];
  weights.forEach((layer, k) => {
    layer.w.forEach((row, i) => {
      row.forEach((value, j) => {
        const size = Math.abs(value ?? 0) / largest;
        lines.push(
          node("line", {
            x1: x(k),
            y1: y(k, i),
            x2: x(k + 1),
            y2: y(k + 1, j),
            stroke: (value ?? 0) >= 0 ? POSITIVE : NEGATIVE,
            "stroke-width": 0.5 + 5 * size,
            "stroke-opacity": 0.25 + 0.75 * size,
          }),
        );
      });
    });
  });
  const lastHidden = sizes.length - 2;
  const circles = sizes.flatMap((n, k) =>
    Array.from({ length: n }, (_, i) => {
      const circle = node("circle", { cx: x(k), cy: y(k, i), r: radius, class: k === lastHidden ? "unit pickable" : "unit" });
      if (k === lastHidden) circle.dataset.unit = String(i); // its weight to the output: the chain rule below
      return circle;
    }),
  );
  svg.replaceChildren(...lines, ...circles);
}
