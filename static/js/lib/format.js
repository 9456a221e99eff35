// Numbers for people: short, no trailing zeros, never "NaN", and in the page's language (6,8 in Polish).
import { language, t } from "./messages.js";

const cache = new Map();

function formatter(digits) {
  if (!cache.has(digits)) {
    cache.set(digits, new Intl.NumberFormat(language(), { maximumSignificantDigits: digits, useGrouping: false }));
  }
  return cache.get(digits);
}

const DECIMAL = new Intl.NumberFormat(language()).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";

/** A number with up to `digits` significant digits (6.8, 5.84, 4.4576), exponent form when huge or tiny. */
export function num(value, digits = 6) {
  if (value === null || value === undefined || !Number.isFinite(value)) return t("format.undefined");
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) {
    const text = value.toExponential(Math.max(0, Math.min(digits, 4) - 1)).replace(/\.?0+e/, "e").replace("e+", "e");
    return text.replace(".", DECIMAL).replace(/^-/, "−");
  }
  return formatter(digits).format(value).replace("-", "−");
}

/** A point such as (1.5, −0.5); in languages whose decimal mark is a comma, coordinates are split by "; ". */
export function point(values, digits = 4) {
  return `(${values.map((v) => num(v, digits)).join(DECIMAL === "," ? "; " : ", ")})`;
}

/** A hyperparameter value for a label: 0.001, 0.9, 1e-8. */
export function hyper(value) {
  return num(value, 4);
}
