// Why a learning rate settles, bounces or blows up: near a point, a gradient-descent step multiplies the
// distance to the bottom by 1 − lr·f″(x). Its size |1 − lr·f″| is the contraction factor: below 1 the
// walker settles (0: in one step), exactly 1 it bounces forever, above 1 it diverges; a negative
// 1 − lr·f″ means it lands on the other side every step. f″ is measured from the function itself: the
// second difference of the page's sampled curve, or of three points the server evaluates around a
// walker that has left the curve's range.
import { fetchSurface } from "../lib/api.js";
import { num } from "../lib/format.js";
import { t } from "../lib/messages.js";
import { colour } from "../lib/palette.js";
import { scheduledLr } from "../lib/schedule-rate.js";
import { hyperparametersAt } from "./curve.js";

const EXACT = 1e-6; // closer than this to 0 or 1 is that value (the sampled f″ carries rounding)
const BOUND = 1e6; // the server evaluates points within ±1e6

/** f″ at x from a sampled curve {x: [...], z: [...]} (evenly spaced): second differences, interpolated. */
export function secondDerivative(curve, x) {
  const n = curve.x.length;
  if (n < 3) return null;
  const x0 = curve.x[0];
  const dx = (curve.x[n - 1] - x0) / (n - 1);
  const u = (x - x0) / dx;
  if (!(u >= 0 && u <= n - 1)) return null; // outside the sampled range (or not a number)
  const at = (i) => {
    const k = Math.min(Math.max(i, 1), n - 2);
    const [a, b, c] = [curve.z[k - 1], curve.z[k], curve.z[k + 1]];
    return a === null || b === null || c === null ? null : (a - 2 * b + c) / (dx * dx);
  };
  const lo = Math.floor(u);
  const [d0, d1] = [at(lo), at(lo + 1)];
  if (d0 === null || d1 === null) return null;
  const w = u - lo;
  return d0 * (1 - w) + d1 * w;
}

/** The factor 1 − lr·f″ and what it means for the walker. */
export function contraction(lr, curvature) {
  let signed = 1 - lr * curvature;
  if (Math.abs(signed) < EXACT) signed = 0;
  const size = Math.abs(signed);
  const exactOne = Math.abs(size - 1) < EXACT;
  let verdict;
  if (signed === 0) verdict = "one_step";
  else if (exactOne) verdict = signed < 0 ? "bounces" : "stays";
  else if (size < 1) verdict = signed < 0 ? "settles_across" : "settles";
  else verdict = signed < 0 ? "diverges_across" : "diverges";
  return { signed, factor: exactOne ? 1 : size, verdict };
}

/** The factor as people read it: 0.8, 0, 1, 1.2 (three decimals at most). */
export function factorText(factor) {
  return num(Math.round(factor * 1000) / 1000, 4);
}

/** The panel's list: one row per gradient-descent runner, its factor at the walker and what it means. */
export class ContractionList {
  constructor(section, table) {
    this.section = section;
    this.table = table;
    this.curve = null;
    this.info = null;
    this.probes = new Map(); // x -> f″ from the server, for walkers off the sampled curve
    this.shown = "";
  }

  setFunction(info, curve) {
    this.info = info;
    this.curve = curve;
    this.probes.clear();
  }

  /** f″ at x: from the curve, or from the server for a walker beyond it (then redraw via `onProbe`). */
  curvatureAt(x, onProbe) {
    const local = this.curve ? secondDerivative(this.curve, x) : null;
    if (local !== null) return local;
    if (!this.info || !Number.isFinite(x) || Math.abs(x) > BOUND / 2) return null;
    const key = Number(x.toPrecision(6));
    if (this.probes.has(key)) return this.probes.get(key);
    this.probes.set(key, null);
    const h = 1e-3 * Math.max(1, Math.abs(key));
    const info = this.info;
    fetchSurface(info, 3, { x_min: key - h, x_max: key + h })
      .then((s) => {
        if (this.info !== info) return;
        this.probes.set(key, secondDerivative(s, key));
        onProbe();
      })
      .catch(() => {});
    return null;
  }

  render(session, labels, onProbe) {
    const rows = [];
    session.histories.forEach((_, run) => {
      const config = session.configs[run];
      const frame = session.current(run);
      if (config?.optimizer !== "gd" || !frame) return;
      // The step about to be taken uses the schedule's rate for update number `frame.step`.
      const base = hyperparametersAt(config, frame.step)?.lr;
      const lr = base === undefined ? undefined : scheduledLr(config.schedule, base, frame.step);
      const x = frame.params?.[0];
      const curvature = x === null || x === undefined ? null : this.curvatureAt(x, onProbe);
      const found = lr === undefined || curvature === null ? null : contraction(lr, curvature);
      rows.push({ run, label: labels[run] ?? "", found });
    });
    const signature = JSON.stringify(rows);
    if (signature === this.shown) return;
    this.shown = signature;
    this.section.hidden = rows.length === 0;
    this.table.replaceChildren(
      ...rows.map(({ run, label, found }) => {
        const tr = document.createElement("tr");
        tr.dataset.run = String(run);
        const who = document.createElement("td");
        who.className = "who";
        who.textContent = label;
        who.style.color = colour(run);
        const factor = document.createElement("td");
        factor.className = "factor math";
        factor.textContent = found ? factorText(found.factor) : t("format.undefined");
        const verdict = document.createElement("td");
        verdict.className = `verdict ${found?.verdict ?? ""}`;
        verdict.textContent = found ? t(`contraction.${found.verdict}`) : "";
        tr.append(who, factor, verdict);
        return tr;
      }),
    );
  }
}
