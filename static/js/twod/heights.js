// How heights are shown. Many test functions span several orders of magnitude (Rosenbrock: 0 to 2,500;
// Goldstein–Price: 3 to a million), which would paint the whole valley one colour. When the range is
// that wide, colours and 3D heights follow log10(f − min) instead; hover and tables keep the true values.

const WIDE = 11; // max / median of (f − min) above which a linear scale hides the valleys

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export class Heights {
  constructor(surface) {
    const finite = surface.z.flat().filter((v) => v !== null);
    this.min = surface.z_min ?? Math.min(...finite);
    this.max = surface.z_max ?? Math.max(...finite);
    const span = this.max - this.min || 1;
    const typical = median(finite.map((v) => v - this.min)) || span;
    this.log = span / typical > WIDE;
    this.floor = span * 1e-6;
  }

  /** The shown height of a loss value (null stays null). */
  of(value) {
    if (value === null || value === undefined) return null;
    if (!this.log) return value;
    return Math.log10(Math.max(value - this.min, 0) + this.floor);
  }

  grid(z) {
    return z.map((row) => row.map((v) => this.of(v)));
  }
}
