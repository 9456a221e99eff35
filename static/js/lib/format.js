// Numbers for people: short, no trailing zeros, and never "NaN".
import { t } from "./messages.js";

/** A number with up to `digits` significant digits (6.8, 5.84, 4.4576), exponent form when huge or tiny. */
export function num(value, digits = 6) {
  if (value === null || value === undefined || !Number.isFinite(value)) return t("format.undefined");
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) {
    return value.toExponential(Math.max(0, Math.min(digits, 4) - 1)).replace(/\.?0+e/, "e").replace("e+", "e");
  }
  return String(Number(value.toPrecision(digits))).replace("-", "−");
}

/** A point such as (1.5, −0.5). */
export function point(values, digits = 4) {
  return `(${values.map((v) => num(v, digits)).join(", ")})`;
}

/** A hyperparameter value for a label: 0.001, 0.9, 1e-8. */
export function hyper(value) {
  return num(value, 4);
}
