// The sidebar's list of runners: each with its colour, optimizer and hyperparameters, removable;
// plus "add a runner". Built from the /optimizers catalogue, so new optimizers appear by themselves;
// a first-order runner also gets a learning-rate schedule, built from the /schedules catalogue.
import { colour } from "./palette.js";
import { has, t } from "./messages.js";
import { currentHyperparameters } from "./runs-codec.js";
import { element, fillSelect, hyperSlider } from "./controls.js";
import { num } from "./format.js";
import { hpHint, hpLabel } from "./hp-text.js";

let uid = 0;

/** A checkbox for a true/false hyperparameter (torch's amsgrad, centered); a click changes the run. */
function hyperSwitch(spec, value, onChange, { label, hint }) {
  const id = `hp-switch-${uid++}`;
  const box = element("input", { type: "checkbox", id, checked: Boolean(value) });
  box.addEventListener("change", () => onChange(box.checked));
  return element("div", { class: "hp hp-switch", title: hint, dataset: { hp: spec.name } }, [
    element("label", { class: "hp-name", for: id }, [box, label]),
  ]);
}

const SHOWN_BEFORE_MORE = 2; // the rest (eps, bounds...) fold into "more"

/** Why a typed schedule value was refused, as the API would say it: out of its range, or not a whole number. */
function scheduleProblem(spec, value, label) {
  if (Number.isFinite(value) && value >= spec.minimum && value <= spec.maximum) {
    return t("schedule.not_whole", { name: label, value: num(value) });
  }
  return t("schedule.out_of_range", {
    name: label,
    min: num(spec.minimum),
    max: num(spec.maximum),
    value: Number.isFinite(value) ? num(value) : String(value),
  });
}

export class RunsEditor {
  /** handlers: optimizer(i, id), hyperparameter(i, name, value), schedule(i, schedule or null), remove(i), add() */
  constructor({ optimizers, schedules = [], handlers, maxRuns = 8 }) {
    this.optimizers = optimizers;
    this.schedules = schedules;
    this.byId = new Map(optimizers.map((o) => [o.id, o]));
    this.handlers = handlers;
    this.maxRuns = maxRuns;
    this.root = document.getElementById("runs-editor");
    this.addButton = document.getElementById("add-run");
    this.addButton.addEventListener("click", () => handlers.add());
    this.shown = "";
    this.openMore = new Set(); // runners whose "more settings" are open: a rebuild after a change keeps them open
  }

  render(runs) {
    const signature = JSON.stringify(runs);
    if (signature === this.shown) return; // rebuilding would drop focus from a slider in use
    this.shown = signature;
    this.root.replaceChildren(...runs.map((run, i) => this.runner(run, i, runs.length)));
    this.addButton.disabled = runs.length >= this.maxRuns;
  }

  runner(run, index, count) {
    const optimizer = this.byId.get(run.optimizer);
    const select = element("select", {
      "aria-label": t("controls.optimizer_of", { n: index + 1 }),
      onchange: (event) => this.handlers.optimizer(index, event.target.value),
    });
    fillSelect(
      select,
      this.optimizers.map((o) => [o.id, o.name]),
      run.optimizer,
    );
    const values = currentHyperparameters(run, optimizer);
    const sliders = optimizer.hyperparameters.map((spec) => {
      const words = { label: hpLabel(optimizer, spec), hint: hpHint(optimizer, spec) };
      const change = (v) => this.handlers.hyperparameter(index, spec.name, v);
      return spec.type === "boolean" ? hyperSwitch(spec, values[spec.name], change, words) : hyperSlider(spec, values[spec.name], change, words);
    });
    const head = element("div", { class: "runner-head" }, [
      element("span", { class: "swatch", style: `background:${colour(index)}`, "aria-hidden": "true" }),
      select,
    ]);
    if (count > 1) {
      head.append(
        element("button", {
          type: "button",
          class: "button icon small remove",
          title: t("controls.remove_runner"),
          "aria-label": t("controls.remove_runner"),
          text: "×",
          onclick: () => this.handlers.remove(index),
        }),
      );
    }
    const body = [head, element("p", { class: "hint runner-about", text: optimizer.description }), ...sliders.slice(0, SHOWN_BEFORE_MORE)];
    if (optimizer.uses_lr_schedule && this.schedules.length) body.push(this.scheduleEditor(run, index));
    if (sliders.length > SHOWN_BEFORE_MORE) {
      const more = element("details", { class: "more", open: this.openMore.has(index) }, [
        element("summary", { text: t("controls.more") }),
        ...sliders.slice(SHOWN_BEFORE_MORE),
      ]);
      more.addEventListener("toggle", () => (more.open ? this.openMore.add(index) : this.openMore.delete(index)));
      body.push(more);
    }
    return element("div", { class: "runner", style: `--run-colour:${colour(index)}` }, body);
  }

  /** The runner's learning-rate schedule: a kind, and that kind's parameters (defaults where unset). */
  scheduleEditor(run, index) {
    const current = run.schedule ?? { kind: "constant" };
    const spec = this.schedules.find((s) => s.kind === current.kind) ?? this.schedules[0];
    const select = element("select", {
      onchange: (event) => {
        const kind = event.target.value;
        this.handlers.schedule(index, kind === "constant" ? null : { kind });
      },
    });
    fillSelect(
      select,
      this.schedules.map((s) => [s.kind, has(`schedule.${s.kind}`) ? t(`schedule.${s.kind}`) : s.kind]),
      spec.kind,
    );
    const error = element("p", { class: "form-error schedule-error", role: "alert", hidden: true });
    const sliders = spec.parameters.map((p) => {
      const label = has(`schedule.${p.name}`) ? t(`schedule.${p.name}`) : p.name;
      const onInvalid = (value) => {
        error.hidden = value === null;
        if (value !== null) error.textContent = scheduleProblem(p, value, label);
      };
      const change = (v) => this.handlers.schedule(index, { ...current, kind: spec.kind, [p.name]: v });
      return hyperSlider(p, current[p.name] ?? p.default, change, { label, hint: "", onInvalid });
    });
    return element("div", { class: "schedule", title: t("controls.schedule_hint"), dataset: { schedule: spec.kind } }, [
      element("label", { class: "field" }, [element("span", { class: "field-label", text: t("controls.schedule") }), select]),
      ...sliders,
      error,
    ]);
  }
}
