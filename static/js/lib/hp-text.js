// Hyperparameters as people read them: "Decay of the first moment (β₁)" rather than "beta1".
// Words come from the message catalogue: hp.<name>.label / .short / .hint, where an optimizer may say
// what a name means for it (optimizer.<id>.hp.<name>.*: sign descent's lr is its first step size).
import { hyper } from "./format.js";
import { has, t } from "./messages.js";

function text(optimizer, name, part) {
  const own = `optimizer.${optimizer?.id}.hp.${name}.${part}`;
  if (optimizer && has(own)) return t(own);
  const common = `hp.${name}.${part}`;
  return has(common) ? t(common) : null;
}

/** The label beside a control: "Learning rate (lr)". Falls back to the raw name. */
export function hpLabel(optimizer, spec) {
  return text(optimizer, spec.name, "label") ?? spec.name;
}

/** A short form for tight places (scoreboard, legends): "lr", "β₁", "AMSGrad". */
export function hpShort(optimizer, spec) {
  return text(optimizer, spec.name, "short") ?? spec.name;
}

/** One sentence on what it does, for a tooltip. */
export function hpHint(optimizer, spec) {
  return text(optimizer, spec.name, "hint") ?? spec.description ?? "";
}

/**
 * "β₁ 0.8" (or with `key` "hp.equals": "β₁ = 0.8"), and for a switch "AMSGrad" / "no AMSGrad".
 */
export function hpSetting(optimizer, spec, value, key = "hp.setting") {
  const name = hpShort(optimizer, spec);
  if (spec.type === "boolean") return t(value ? "hp.switch.on" : "hp.switch.off", { name });
  return t(key, { name, value: hyper(value) });
}
