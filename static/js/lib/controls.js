// Controls built from the API's catalogues: a select of ids, and a slider (log-scale where the
// catalogue says so) with a box for typing the exact value.
import { hyper } from "./format.js";

let uid = 0;

export function element(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children);
  return el;
}

/** Fill a <select> with [value, label] pairs and choose `selected`. */
export function fillSelect(select, options, selected) {
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  select.value = selected;
}

function sliderScale(spec) {
  if (spec.log_scale) {
    const lo = Math.log10(Math.max(spec.minimum, spec.maximum * 1e-12, 1e-12));
    const hi = Math.log10(spec.maximum);
    return {
      min: lo,
      max: hi,
      step: 0.01,
      toSlider: (v) => Math.log10(Math.max(v, 10 ** lo)),
      fromSlider: (s) => Number((10 ** s).toPrecision(2)),
    };
  }
  const step = spec.integer ? 1 : (spec.maximum - spec.minimum) / 200;
  return {
    min: spec.minimum,
    max: spec.maximum,
    step,
    toSlider: (v) => v,
    fromSlider: (s) => (spec.integer ? Math.round(s) : Number(Number(s).toPrecision(3))),
  };
}

/**
 * A labelled slider for one hyperparameter. `onChange(value)` fires when the user lets go of the slider
 * or commits a typed value (not on every pixel of a drag: each change restarts or branches a run).
 * `label` and `hint` are the words people read (from the message catalogue); the raw name by default.
 * `onInvalid(value)` hears of a typed value the range refuses (and `onInvalid(null)` when a good one follows).
 */
export function hyperSlider(spec, value, onChange, { label = spec.name, hint = spec.description, onInvalid = null } = {}) {
  const id = `hp-${uid++}`;
  const scale = sliderScale(spec);
  const slider = element("input", {
    type: "range",
    id,
    min: scale.min,
    max: scale.max,
    step: scale.step,
    value: scale.toSlider(value),
    "aria-label": label,
  });
  const box = element("input", {
    type: "number",
    class: "hp-value",
    step: "any",
    min: spec.minimum,
    max: spec.maximum,
    value: String(value),
    "aria-label": label,
  });
  const commit = (v) => {
    if (!Number.isFinite(v) || v < spec.minimum || v > spec.maximum || (spec.integer && !Number.isInteger(v))) {
      onInvalid?.(v); // the caller may say why, in the words the API uses
      box.value = String(value);
      box.classList.add("invalid");
      return;
    }
    onInvalid?.(null);
    box.classList.remove("invalid");
    value = v;
    onChange(v);
  };
  slider.addEventListener("input", () => {
    box.value = hyper(scale.fromSlider(Number(slider.value))).replace("−", "-");
  });
  slider.addEventListener("change", () => commit(scale.fromSlider(Number(slider.value))));
  box.addEventListener("change", () => {
    const v = Number(box.value);
    commit(v);
    if (Number.isFinite(v)) slider.value = scale.toSlider(v);
  });
  return element("div", { class: "hp", title: hint, dataset: { hp: spec.name } }, [
    element("label", { class: "hp-name", for: id, text: label }),
    box,
    slider,
  ]);
}
