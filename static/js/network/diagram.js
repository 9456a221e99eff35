// The network as a diagram: a column of units per layer, a line per weight, coloured by sign and sized
// by magnitude, redrawn from the weights the server sends with each newest frame. Each input and hidden
// unit shows its output over the plane as a small picture (TensorFlow Playground's thumbnails), computed
// by the server: orange below zero, white at zero, blue above (saturating at -1 and 1).
const NS = "http://www.w3.org/2000/svg";
const POSITIVE = "#0072B2";
const NEGATIVE = "#D55E00";

function node(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

const RGB = { positive: [0, 114, 178], negative: [213, 94, 0] };

/** A unit's grid (rows follow y, upwards) as a PNG data URL, one pixel per grid point. */
function thumbnail(grid) {
  const n = grid.length;
  const canvas = Object.assign(document.createElement("canvas"), { width: n, height: n });
  const context = canvas.getContext("2d");
  const image = context.createImageData(n, n);
  grid.forEach((row, r) => {
    row.forEach((value, c) => {
      const v = Math.max(-1, Math.min(1, value ?? 0));
      const [tr, tg, tb] = v >= 0 ? RGB.positive : RGB.negative;
      const at = 4 * ((n - 1 - r) * n + c); // the picture's top row is the largest y
      const mix = Math.abs(v);
      image.data[at] = 255 + (tr - 255) * mix;
      image.data[at + 1] = 255 + (tg - 255) * mix;
      image.data[at + 2] = 255 + (tb - 255) * mix;
      image.data[at + 3] = 255;
    });
  });
  context.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

export function drawDiagram(svg, weights, units = null, inputNames = []) {
  const width = svg.clientWidth || 600;
  const height = svg.clientHeight || 200;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (!weights?.length) return svg.replaceChildren();
  const sizes = [weights[0].w.length, ...weights.map((layer) => layer.b.length)];
  const pictured = units?.layers?.length === sizes.length - 1;
  const pad = pictured ? 10 : 24;
  const left = inputNames.length ? pad + 44 : pad; // room for the input names
  const right = pictured ? 30 : pad; // the output unit keeps its plain circle, which must not be cut
  const x = (k) => left + ((width - left - right) * k) / Math.max(1, sizes.length - 1);
  const y = (k, i) => pad + ((height - 2 * pad) * (i + 0.5)) / sizes[k];
  const most = Math.max(...sizes);
  const radius = pictured
    ? Math.max(5, Math.min(28, (height - 2 * pad) / (2.1 * most), (width - 2 * pad) / (3 * sizes.length)))
    : Math.max(4, Math.min(12, (height - 2 * pad) / (2.6 * most)));
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
      const classes = ["unit", k === lastHidden ? "pickable" : "", pictured && k < sizes.length - 1 ? "pictured" : ""];
      const circle = node("circle", { cx: x(k), cy: y(k, i), r: radius, class: classes.join(" ").trim() });
      if (k === lastHidden) circle.dataset.unit = String(i); // its weight to the output: the chain rule below
      return circle;
    }),
  );
  const pictures = [];
  if (pictured) {
    const clip = node("clipPath", { id: "unit-clip", clipPathUnits: "objectBoundingBox" });
    clip.append(node("ellipse", { cx: 0.5, cy: 0.5, rx: 0.5, ry: 0.5 })); // not a circle: circles are the units
    const defs = node("defs", {});
    defs.append(clip);
    pictures.push(defs);
    units.layers.forEach((layer, k) => {
      layer.forEach((grid, i) => {
        pictures.push(
          node("image", {
            href: thumbnail(grid),
            x: x(k) - radius,
            y: y(k, i) - radius,
            width: 2 * radius,
            height: 2 * radius,
            preserveAspectRatio: "none",
            "clip-path": "url(#unit-clip)",
            class: "unit-picture",
          }),
        );
      });
    });
  }
  // The input units' names, left of them: x, y, x², ... (the diagram leaves room for them).
  const names = inputNames.slice(0, sizes[0]).map((name, i) => {
    const label = node("text", { x: x(0) - radius - 4, y: y(0, i), class: "unit-name", "text-anchor": "end", "dominant-baseline": "central" });
    label.textContent = name;
    return label;
  });
  svg.replaceChildren(...lines, ...pictures, ...circles, ...names);
}
