// Run colours: the Okabe–Ito palette, safe for the common kinds of colour blindness,
// ordered so that neighbours differ in lightness too. Each run also gets its own marker shape.

export const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8A6D00"];
export const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "star", "hexagon", "x"];
export const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "solid", "dash", "dot"];

export const colour = (i) => COLOURS[i % COLOURS.length];
export const symbol = (i) => SYMBOLS[i % SYMBOLS.length];
export const dash = (i) => DASHES[i % DASHES.length];

/** The colour with an alpha, for fills. */
export function tint(i, alpha) {
  const hex = colour(i).slice(1);
  const [r, g, b] = [0, 2, 4].map((k) => parseInt(hex.slice(k, k + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}
