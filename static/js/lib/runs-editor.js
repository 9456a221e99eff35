// The sidebar's list of runners: each with its colour, optimizer and hyperparameters, removable;
// plus "add a runner". Built from the /optimizers catalogue, so new optimizers appear by themselves.
import { colour } from "./palette.js";
import { t } from "./messages.js";
import { currentHyperparameters } from "./runs-codec.js";
import { element, fillSelect, hyperSlider } from "./controls.js";
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

export class RunsEditor {
  /** handlers: optimizer(i, id), hyperparameter(i, name, value), remove(i), add() */
  constructor({ optimizers, handlers, maxRuns = 8 }) {
    this.optimizers = optimizers;
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
}
