// The follower's side of a room: a bar that says which lecture this page follows and how far behind it is,
// "Explore on my own" / "Back to the lecture", and the class race's prompt (a learning rate on a log slider,
// a start point clicked on the map or typed, or an optimizer), with an optional display name.
//
// While following, the page's own controls that would drive the run (the sidebar, the transport) are inert:
// a tap on a phone must not silently leave the lecture, and 200 students must not drive one runner. Exploring
// is one deliberate click away, and gives back every control on a private copy.
import { element } from "./controls.js";
import { num } from "./format.js";
import { t } from "./messages.js";
import { answerText, raceSummary } from "./room-panel.js";

const NAME_MOST = 24; // characters, as the server counts them
const LR_FLOOR = 1e-4;
const LR_CEILING = 10;

/** The slider's ends in log10 for a question's limits ({min, max}, min exclusive). */
export function lrRange(limits = {}) {
  const lo = Math.max(Number(limits?.min) || 0, LR_FLOOR);
  const hi = Math.min(Number(limits?.max) || 100, Math.max(LR_CEILING, lo * 10));
  return [Math.log10(lo), Math.log10(hi)];
}

/** A slider position (log10) as a learning rate people can read and type: two significant digits. */
export function lrOf(position) {
  return Number((10 ** position).toPrecision(2));
}

export class FollowerBar {
  constructor(room) {
    this.room = room;
    this.page = room.page;
    this.root = element("section", { class: "room-bar", id: "room-bar", "aria-label": t("lecture.follower_bar"), hidden: true });
    this.status = element("p", { class: "room-following", id: "room-following", role: "status" });
    this.lag = element("span", { class: "room-lag", id: "room-lag" });
    this.exploreButton = element("button", { type: "button", class: "button", id: "room-explore", onclick: () => room.explore() }, [t("lecture.explore")]);
    this.backButton = element("button", { type: "button", class: "button primary", id: "room-back", onclick: () => room.rejoin() }, [t("lecture.back")]);
    this.summary = element("div", { class: "room-race-summary", id: "room-bar-summary", role: "status" });
    this.prompt = element("form", { class: "room-prompt", id: "room-prompt", hidden: true, onsubmit: (event) => this.submit(event) });
    this.root.append(element("div", { class: "room-bar-row" }, [this.status, this.lag, this.exploreButton, this.backButton]), this.summary, this.prompt);
    const main = document.getElementById("main");
    main?.prepend(this.root);
    this.shownQuestion = null;
  }

  show() {
    this.root.hidden = false;
    this.render();
  }

  hide() {
    this.root.hidden = true;
    this.setDriving(true);
  }

  /** The page's own controls drive it again (exploring), or not (following). */
  setDriving(on) {
    document.documentElement.classList.toggle("room-following", !on);
    const sidebar = document.getElementById("sidebar");
    if (sidebar) sidebar.inert = !on;
    const timeline = document.getElementById("timeline"); // while following, the cursor is the lecturer one
    if (timeline) timeline.inert = !on;
    for (const name of ["reset", "back", "play", "step"]) {
      const button = document.querySelector(`#transport [data-action="${name}"]`);
      if (button) button.disabled = !on;
    }
    const speed = document.getElementById("speed");
    if (speed) speed.disabled = !on;
  }

  render() {
    const room = this.room;
    const following = room.mode === "follower";
    if (room.mode !== "follower" && room.mode !== "explorer") return;
    this.setDriving(!following);
    let key = "lecture.following_code";
    if (!following) key = "lecture.exploring";
    else if (!room.lecturerConnected) key = "lecture.lecturer_away";
    this.status.textContent = t(key, { code: room.code ?? "" });
    this.lag.textContent = following && room.lag !== null ? t("lecture.lag", { ms: num(room.lag, 3) }) : "";
    this.lag.hidden = !this.lag.textContent;
    this.exploreButton.hidden = !following;
    this.backButton.hidden = following;
    this.renderSummary();
    this.renderPrompt();
  }

  renderSummary() {
    const labels = this.room.raceLabels ? this.page.labels() : null;
    const lines = labels ? raceSummary(this.room.session, labels) : [];
    const text = lines.join(" ");
    if (text === this.shownSummary) return;
    this.shownSummary = text;
    this.summary.replaceChildren(...lines.map((line) => element("p", { text: line })));
  }

  // ----- the class race's prompt -----

  renderPrompt() {
    const question = this.room.mode === "follower" ? this.room.question : null;
    this.prompt.hidden = !question;
    if (!question) {
      this.shownQuestion = null;
      return;
    }
    if (question !== this.shownQuestion && (question.run !== this.shownQuestion?.run || question.kind !== this.shownQuestion?.kind)) {
      this.buildPrompt(question);
    }
    this.shownQuestion = question;
    for (const field of this.prompt.querySelectorAll("input, select, button")) field.disabled = !question.open;
    this.closedNote.hidden = question.open;
  }

  buildPrompt(question) {
    const run = question.run ?? {};
    const fields = [];
    this.read = () => null;
    if (question.kind === "lr") {
      const [lo, hi] = lrRange(question.limits);
      const start = Math.min(hi, Math.max(lo, Math.log10(run.hyperparameters?.lr ?? 0.1)));
      const shown = element("output", { class: "room-lr-value", id: "room-lr-value" });
      const slider = element("input", { type: "range", id: "room-lr", min: String(lo), max: String(hi), step: "0.01", value: String(start), "aria-label": t("lecture.prompt.lr") });
      const update = () => (shown.textContent = num(lrOf(Number(slider.value)), 2));
      slider.addEventListener("input", update);
      update();
      fields.push(element("label", { class: "field room-lr-field" }, [element("span", { class: "field-label", text: t("lecture.prompt.lr") }), slider]), shown);
      this.read = () => lrOf(Number(slider.value));
    } else if (question.kind === "start") {
      const dim = Array.isArray(run.start) ? run.start.length : this.page.dim ?? 2;
      const inputs = Array.from({ length: dim }, (_, k) =>
        element("input", { type: "number", step: "any", inputmode: "decimal", id: `room-start-${k}`, value: String(run.start?.[k] ?? 0) }),
      );
      this.startInputs = inputs;
      fields.push(
        element("p", { class: "hint", text: t(dim === 2 ? "lecture.prompt.start_2d" : "lecture.prompt.start_1d") }),
        element("div", { class: "field-row" }, inputs.map((input, k) =>
          element("label", { class: "field" }, [element("span", { class: "field-label", text: t(k ? "controls.start_y" : "controls.start_x") }), input]),
        )),
      );
      this.read = () => {
        const values = inputs.map((input) => Number(input.value));
        return values.every(Number.isFinite) && inputs.every((input) => input.value.trim() !== "") ? values : null;
      };
    } else if (question.kind === "optimizer") {
      const allowed = question.limits?.optimizers;
      const optimizers = (this.page.optimizers ?? []).filter((o) => !allowed || allowed.includes(o.id));
      const select = element("select", { id: "room-optimizer" }, optimizers.map((o) => new Option(o.name, o.id)));
      select.value = optimizers.some((o) => o.id === run.optimizer) ? run.optimizer : optimizers[0]?.id ?? "";
      const lr = element("input", { type: "number", step: "any", min: "0", inputmode: "decimal", id: "room-optimizer-lr" });
      const fillLr = () => {
        const spec = optimizers.find((o) => o.id === select.value)?.hyperparameters.find((h) => h.name === "lr");
        lr.value = spec ? String(spec.default) : "";
        lr.disabled = !spec;
      };
      select.addEventListener("change", fillLr);
      fillLr();
      fields.push(
        element("div", { class: "field-row" }, [
          element("label", { class: "field" }, [element("span", { class: "field-label", text: t("lecture.prompt.optimizer") }), select]),
          element("label", { class: "field" }, [element("span", { class: "field-label", text: t("lecture.prompt.optimizer_lr") }), lr]),
        ]),
      );
      this.read = () => {
        const value = { optimizer: select.value, hyperparameters: {} };
        if (!lr.disabled) {
          const rate = Number(lr.value);
          if (!(rate > 0)) return null;
          value.hyperparameters.lr = rate;
        }
        return value;
      };
    }
    this.name = element("input", { type: "text", id: "room-name", maxlength: String(NAME_MOST), autocomplete: "nickname", spellcheck: "false" });
    this.sent = element("p", { class: "room-sent", id: "room-sent", role: "status" });
    this.closedNote = element("p", { class: "hint", text: t("lecture.prompt.closed") });
    this.error = element("p", { class: "form-error", role: "alert", hidden: true, text: t("lecture.prompt.invalid") });
    this.prompt.replaceChildren(
      element("h2", { text: t(`lecture.ask.${question.kind}`) }),
      ...fields,
      element("label", { class: "field" }, [element("span", { class: "field-label", text: t("lecture.prompt.name") }), this.name]),
      element("div", { class: "room-actions" }, [element("button", { type: "submit", class: "button primary", id: "room-send" }, [t("lecture.prompt.send")])]),
      this.error,
      this.sent,
      this.closedNote,
    );
  }

  /** A click on the map while the start question is open: the point goes in the fields, ready to send. */
  pickStart(start) {
    if (!this.startInputs) return;
    this.startInputs.forEach((input, k) => (input.value = String(Number(start[k].toPrecision(4)))));
    this.prompt.querySelector("#room-send")?.focus();
  }

  submit(event) {
    event.preventDefault();
    const value = this.read();
    this.error.hidden = value !== null;
    if (value === null) return;
    this.lastValue = value;
    this.room.answer(value, this.name.value.trim().slice(0, NAME_MOST));
    this.sent.textContent = t("lecture.prompt.sending");
  }

  /** The server took this page's answer (under the name given, or a number it gives). */
  taken(message) {
    const kind = this.room.question?.kind;
    const value = message.value ?? this.lastValue;
    const what = answerText(kind, value, (id) => this.page.optimizers?.find((o) => o.id === id)?.name ?? id);
    const label = message.label ?? message.name;
    this.sent.textContent = label ? t("lecture.prompt.sent", { label, value: what }) : t("lecture.prompt.sent_unnamed", { value: what });
  }
}
